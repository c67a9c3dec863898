/**
 * bench:evening — a province's meeting evening as members live it (issue 31). N cells of M
 * members are in session at once on PostgreSQL; each member taps "Điểm danh", then her vote
 * (half the cells by secret ballot), as Telegram callback updates through the webhook of two
 * service instances (OUTBOX_WORKER=0), while one send-worker process answers through a fake
 * Telegram that enforces the real limits (30 messages/s per bot, 1/s per chat, 20/min per group,
 * 429 with parameters.retry_after). Some members tap their vote twice, and some updates are
 * delivered twice (Telegram's retry, to the other instance).
 *
 * Measured: how soon each tap is answered (answerCallbackQuery in the webhook's response), how
 * soon it is recorded (its update processed, the vote or check-in committed), how soon the
 * reply message reaches the chat through the outbox, and — closing every motion through the
 * API — whether any tap was lost or counted twice. The API path is measured in the same run:
 * the same check-ins and votes by the HTTP API on as many other cells, against both instances.
 *
 *   npm run bench:evening -- --cells 300 [--members 20 --concurrency 32]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPostgres, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { countUnsent } from '../api/outbox/repository.ts';
import { encodeAction } from '../bot/core/actions.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { adminQuery, withDatabase } from '../test/support/db.ts';
import { freePort } from '../test/support/spawn-service.ts';
import { benchArgs, benchDatabaseName, benchServerUrl, percentile, round, runBench, runChild } from './args.ts';
import type { EveningMember } from './evening-load.ts';

const { cells, members: perCell, concurrency } = benchArgs({ cells: 300, members: 20, concurrency: 32 });
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const TOKEN = '5050:EVENING';
const SECRET = 'bench-evening-webhook-secret';
const CHAT_BASE = 60_000_000;
const CHOICES = ['for', 'for', 'for', 'against', 'abstain'];
const children: ChildProcess[] = [];

async function main() {
  const server = benchServerUrl();
  const name = benchDatabaseName('bench_evening');
  await adminQuery(server, `create database ${name}`);
  const url = withDatabase(server, name);
  const db = await connectPostgres(url, 4);
  const telegram = await new FakeTelegram([TOKEN]).start();
  telegram.limits = { globalPerSecond: 30, paidPerSecond: 1000, perChatPerSecond: 1, perGroupPerMinute: 20 };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-evening-'));
  try {
    await migrate(db);
    const t0 = performance.now();
    await generate(db);
    console.log(
      `set up 2 × ${cells} cells × ${perCell} members in session (chat / API), one open motion each: ` +
        `${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const common = { DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.root };
    const bases: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      await spawnProcess(
        'api/main.ts',
        {
          ...common,
          PORT: String(port),
          HOST: '127.0.0.1',
          DEMO: '0',
          OUTBOX_WORKER: '0',
          PUBLIC_URL: base,
          PG_POOL_SIZE: '12',
          WEBHOOK_SECRET: SECRET,
          LINK_SECRET: 'bench-link-secret',
        },
        /Web chat:/,
      );
      bases.push(base);
    }
    // Started before the API path is measured, so its start-up does not take that path's CPU.
    await spawnProcess('api/outbox/worker-main.ts', { ...common, PG_POOL_SIZE: '4' }, /Outbox worker: running/);
    console.log(`2 service instances and 1 send worker running on ${name}`);

    // ── the API path: the same check-ins and votes on the other cells, half against each instance
    const apiPlan = await db.query<{ token: string; meetingId: number; motionId: number; choice: string }>(
      `select 'sdv_bench_' || m.id as token, mt.id as "meetingId", mo.id as "motionId",
              (array['for','for','for','against','abstain'])[1 + m.id % 5] as choice
         from members m join meetings mt on mt.cell_id = m.cell_id and mt.status = 'in_progress'
         join motions mo on mo.meeting_id = mt.id
        where m.cell_id > 2 + ${cells} order by random()`,
    );
    const apiRuns = await Promise.all(
      bases.map((base, i) => {
        const file = path.join(tmp, `api-${i}.json`);
        fs.writeFileSync(file, JSON.stringify(apiPlan.filter((_, k) => k % 2 === i)));
        return runChild<{ ops: number; seconds: number; errors: number; p99: number }>(
          path.join(HERE, 'meetings-load.ts'),
          ['--url', base, '--plan', file, '--concurrency', String(concurrency / 2)],
        );
      }),
    );
    const apiOps = apiRuns.reduce((s, r) => s + r.ops, 0);
    const apiPerS = apiOps / Math.max(...apiRuns.map((r) => r.seconds));
    const apiErrors = apiRuns.reduce((s, r) => s + r.errors, 0);
    console.log(`API path: ${apiOps} check-ins + votes at ${round(apiPerS)} ops/s; errors ${apiErrors}`);

    // ── the chat path: taps through the webhooks
    const { plan, expected } = await chatPlan(db);
    const planFile = path.join(tmp, 'chat.json');
    const sentFile = path.join(tmp, 'sent.json');
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const load = await runChild<{
      posts: number;
      started: number;
      errors: number;
      unanswered: number;
      revealing: number;
      ackP50: number;
      ackP99: number;
    }>(path.join(HERE, 'evening-load.ts'), [
      '--urls',
      bases.join(','),
      '--plan',
      planFile,
      '--concurrency',
      String(concurrency),
      '--out',
      sentFile,
      '--secret',
      SECRET,
    ]);
    const sentAt: Record<string, number> = JSON.parse(fs.readFileSync(sentFile, 'utf8'));
    const taps = Object.keys(sentAt).length;
    await waitUntil(
      async () => (await db.query(`select 1 from inbound_updates where processed_at is null limit 1`)).length === 0,
      120_000,
    );
    const processed = await db.query<{ updateId: string; at: number }>(
      `select update_id as "updateId", (extract(epoch from processed_at) * 1000)::float8 as at
         from inbound_updates where processed_at is not null`,
    );
    const recorded = processed.map((p) => p.at - sentAt[p.updateId]).sort((a, b) => a - b);
    const lastRecorded = Math.max(...processed.map((p) => p.at));
    const chatPerS = processed.length / ((lastRecorded - load.started) / 1000);
    console.log(
      `chat path: ${taps} taps (${load.posts} webhook calls with re-deliveries) ` +
        `recorded at ${round(chatPerS)} ops/s; ` +
        `ack p50 ${round(load.ackP50)} ms, p99 ${round(load.ackP99)} ms; unanswered ${load.unanswered}; ` +
        `toasts naming a choice ${load.revealing}; webhook errors ${load.errors}`,
    );

    // ── replies: every tap's message, through the outbox at Telegram's pace
    const replyDeadline = Date.now() + (taps / 30) * 2000 + 120_000;
    await waitUntil(async () => (await countUnsent(db)) === 0, replyDeadline - Date.now());
    const replyLags = replyLatencies(plan, sentAt, telegram);
    console.log(
      `replies: ${telegram.sent.length} sent, 429s ${telegram.tooManyRequests}; ` +
        `p50 ${round(percentile(replyLags, 50) / 1000, 1)} s, p99 ${round(percentile(replyLags, 99) / 1000, 1)} s`,
    );

    // ── nothing lost, nothing counted twice: close every motion of the chat cells through the API
    const { lost, doubleCounted } = await tallies(db, bases[0], expected);
    console.log(`lost ${lost}, double counted ${doubleCounted}`);
    console.log(
      JSON.stringify({
        bench: 'evening',
        cells,
        members: perCell,
        taps,
        tap_ack_p50_ms: round(load.ackP50),
        tap_ack_p99_ms: round(load.ackP99),
        recorded_p99_ms: round(percentile(recorded, 99)),
        reply_p99_s: round(percentile(replyLags, 99) / 1000, 1),
        lost,
        double_counted: doubleCounted,
        api_ops_per_s: round(apiPerS),
        chat_ops_per_s: round(chatPerS),
        ratio: round(chatPerS / apiPerS),
      }),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await telegram.close();
    await db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 500));
    await adminQuery(server, `drop database if exists ${name} with (force)`);
  }
}

/**
 * Twice as many cells as asked: the first half meet through the chat (members linked to
 * Telegram), the second half through the API (tokens). Secretaries have tokens to close motions.
 */
async function generate(db: Db) {
  await db.exec(`
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      values (1, null, 'province', 'Tỉnh bench', '1'), (2, 1, 'grassroots_committee', 'Đảng bộ bench', '1.2');
    insert into orgs (id, parent_id, kind, name, path) overriding system value
      select 2 + g, 2, 'cell', 'Chi bộ ' || g, text2ltree('1.2.' || (2 + g)) from generate_series(1, ${2 * cells}) g;
    select setval(pg_get_serial_sequence('orgs', 'id'), (select max(id) from orgs));
    insert into members (full_name, gender, cell_id, cell_path, status)
      select 'Đảng viên ' || c.id || '-' || k, 'male', c.id, c.path, 'official'
        from orgs c, generate_series(1, ${perCell}) k where c.kind = 'cell';
    insert into principals (display_name, member_id) select full_name, id from members;
    insert into api_tokens (principal_id, token_hash)
      select p.id, encode(sha256(convert_to('sdv_bench_' || p.member_id, 'UTF8')), 'hex') from principals p
       join members m on m.id = p.member_id where m.cell_id > 2 + ${cells};
    insert into chat_accounts (channel, bot_key, external_user_id, chat_id, member_id)
      select 'telegram', 'telegram', (${CHAT_BASE} + id)::text, (${CHAT_BASE} + id)::text, id
        from members where cell_id <= 2 + ${cells};
    insert into principals (display_name) select 'Bí thư ' || id from orgs where kind = 'cell';
    insert into role_grants (principal_id, org_id, role)
      select p.id, o.id, 'secretary'
        from principals p join orgs o on p.display_name = 'Bí thư ' || o.id where p.member_id is null;
    insert into api_tokens (principal_id, token_hash)
      select p.id, encode(sha256(convert_to('sdv_bench_s' || o.id, 'UTF8')), 'hex')
        from principals p join orgs o on p.display_name = 'Bí thư ' || o.id where p.member_id is null;
    insert into meetings (cell_id, kind, starts_at, mode, status, opened_at, checkin_code)
      select id, 'regular', now(), 'online', 'in_progress', now(), '123456' from orgs where kind = 'cell';
    insert into motions (meeting_id, kind, title, ballot)
      select id, 'question', 'Biểu quyết', case when id % 2 = 0 then 'secret' else 'open' end from meetings;
    -- Last month's meeting of every cell, everyone present: the tables an evening starts from are not empty.
    insert into meetings (cell_id, kind, starts_at, mode, status, opened_at, closed_at)
      select id, 'regular', now() - interval '30 days', 'online', 'closed', now() - interval '30 days',
             now() - interval '30 days' + interval '2 hours' from orgs where kind = 'cell';
    insert into meeting_attendance (meeting_id, member_id, checked_in_at, check_in_method)
      select mt.id, m.id, mt.starts_at, 'chat' from meetings mt join members m on m.cell_id = mt.cell_id
       where mt.status = 'closed';
    select fold_member_activity();
    analyze;`);
}

/**
 * Each chat member's taps: "Điểm danh", then her vote; one in 20 taps her vote twice, one in 50
 * has her check-in delivered twice. Returns the plan and, per motion, the votes it must count.
 */
async function chatPlan(db: Db) {
  const rows = await db.query<{ memberId: number; motionId: number }>(
    `select m.id as "memberId", mo.id as "motionId"
       from members m join meetings mt on mt.cell_id = m.cell_id and mt.status = 'in_progress'
       join motions mo on mo.meeting_id = mt.id
      where m.cell_id <= 2 + ${cells} order by random()`,
  );
  let updateId = 1_000_000;
  const tap = (chat: number, data: string, redeliver = false) => ({
    updateId: ++updateId,
    callbackId: `cb${updateId}`,
    chat,
    data,
    ...(redeliver ? { redeliver } : {}),
  });
  const expected = new Map<number, Record<string, number>>();
  const plan: EveningMember[] = rows.map((r, i) => {
    const chat = CHAT_BASE + r.memberId;
    const choice = CHOICES[r.memberId % CHOICES.length];
    const e = expected.get(r.motionId) ?? { for: 0, against: 0, abstain: 0 };
    e[choice]++;
    expected.set(r.motionId, e);
    const vote = encodeAction({ kind: 'vote', motionId: r.motionId, choice });
    const taps = [tap(chat, encodeAction({ kind: 'menu', item: 'checkin' }), i % 50 === 7), tap(chat, vote)];
    if (i % 20 === 3) taps.push(tap(chat, vote));
    return { taps };
  });
  return { plan, expected };
}

/** Each tap's reply: the chat's k-th message answers its k-th distinct tap. */
function replyLatencies(plan: EveningMember[], sentAt: Record<string, number>, telegram: FakeTelegram) {
  const byChat = new Map<string, number[]>();
  for (const m of telegram.sent) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m.at]);
  const lags: number[] = [];
  for (const member of plan) {
    const chat = String(member.taps[0].chat);
    const sent = (byChat.get(chat) ?? []).sort((a, b) => a - b);
    member.taps.forEach((tap, k) => {
      if (sent[k] !== undefined) lags.push(sent[k] - sentAt[tap.updateId]);
    });
  }
  return lags.sort((a, b) => a - b);
}

/** Closes every chat cell's motion through the API and compares the tally with the taps. */
async function tallies(db: Db, base: string, expected: Map<number, Record<string, number>>) {
  const motions = await db.query<{ motionId: number; cellId: number }>(
    `select mo.id as "motionId", mt.cell_id as "cellId" from motions mo join meetings mt on mt.id = mo.meeting_id
      where mt.status = 'in_progress' and mt.cell_id <= 2 + ${cells}`,
  );
  let lost = 0;
  let doubleCounted = 0;
  for (const m of motions) {
    const res = await fetch(`${base}/motions/${m.motionId}/close?confirm=true`, {
      method: 'POST',
      headers: { authorization: `Bearer sdv_bench_s${m.cellId}` },
    });
    const r = (await res.json()) as Record<string, number>;
    const e = expected.get(m.motionId) ?? {};
    for (const c of ['for', 'against', 'abstain']) {
      const got = Number(r[c] ?? 0);
      const want = e[c] ?? 0;
      if (got < want) lost += want - got;
      if (got > want) doubleCounted += got - want;
    }
  }
  const [{ missing }] = await db.query<{ missing: number }>(
    `select count(*)::int as missing from members m join meetings mt on mt.cell_id = m.cell_id
      where mt.status <> 'closed' and m.cell_id <= 2 + ${cells}
        and not exists (select 1 from meeting_attendance a where a.meeting_id = mt.id and a.member_id = m.id)`,
  );
  return { lost: lost + missing, doubleCounted };
}

function spawnProcess(script: string, env: Record<string, string>, ready?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => process.stderr.write(d));
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 180_000);
    child.stdout!.on('data', () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

runBench(main);
