/**
 * bench:webhook — Telegram updates fired at the real webhook route (secret check, dedupe,
 * durable inbox insert, worker processing and replies to a fake Telegram) from a second
 * process, against a bare Fastify route doing the same insert, in the same run, on PostgreSQL;
 * processing against the simplest correct inbox → handler → outbox (50 updates a transaction).
 *
 * Processing is measured as the baseline is: a backlog of `--updates` stored updates drained by
 * freshly started bots (their inbox worker, the handler, completions and reply rows queued in the
 * outbox; the send worker, paced by Telegram, is not part of either), timed from the
 * first claim to the last completion in the database — once with the webhook load's text updates
 * from members not linked, once with linked members' taps ("Điểm danh" and a vote) as on a
 * meeting evening. Draining while the webhook load runs can go no faster than the load itself,
 * so that figure (`lag_p99_ms`) says how far processing trails acknowledgement, not its rate.
 *
 *   npm run bench:webhook -- --updates 20000 [--profile 1] [--cpuProfile taps.cpuprofile]
 *
 * `--profile 1` counts and times every statement the service sends while it drains each backlog
 * and prints them per update (bench/statement-profile.ts); the figures of such a run are not
 * the bench's. `--cpuProfile FILE` records this process's CPU (the service's bots run in it) while
 * it drains the taps, writes the profile to FILE and prints the functions that took it
 * (bench/cpu-profile.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { Deps } from '../api/context.ts';
import type { Db } from '../api/db/connect.ts';
import { createBots } from '../bot/bots.ts';
import { encodeAction } from '../bot/core/actions.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { startServiceWithBots } from '../test/support/bot-harness.ts';
import { freePort } from '../test/support/spawn-service.ts';
import { startCpuProfile } from './cpu-profile.ts';
import { benchArgs, benchDeps, percentile, round, runBench, runChild, withBenchDatabase } from './args.ts';
import { generateMeetingEvening } from './meeting-evening-data.ts';
import { profileDb } from './statement-profile.ts';

const { updates, connections, profile, cpuProfile } = benchArgs({
  updates: 20_000,
  connections: 50,
  profile: 0,
  cpuProfile: '',
});
const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = '999:BENCH';

interface LoadResult {
  per_s: number;
  total: number;
  non2xx: number;
  errors: number;
  p50_ms: number;
  p99_ms: number;
}

async function main() {
  const telegram = await new FakeTelegram([TOKEN]).start();
  try {
    await withBenchDatabase('bench_webhook', 20, (db) => measure(db, telegram));
  } finally {
    await telegram.close();
  }
}

async function measure(db: Db, telegram: FakeTelegram) {
  const profiler = profileDb(db);
  const deps = benchDeps(profile ? profiler.db : db);

  // Baseline: a bare Fastify route doing the same insert.
  const bare = Fastify();
  bare.post('/baseline', async (request) => {
    const body = request.body as { update_id: number };
    await db.query(
      `insert into inbound_updates (channel, bot_key, update_id, payload, processed_at)
       values ('telegram', 'baseline', $1, $2::jsonb, now())
       on conflict do nothing`,
      [String(body.update_id), JSON.stringify(body)],
    );
    return { ok: true };
  });
  const barePort = await freePort();
  await bare.listen({ port: barePort, host: '127.0.0.1' });
  const baseline = await load(`http://127.0.0.1:${barePort}/baseline`, '', 1_000_000_000);
  await bare.close();

  const processingBaseline = await runProcessingBaseline(db);

  const svc = await startServiceWithBots(deps, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.root }, true);
  const secret = telegram.webhookOf(TOKEN)!.secret!;

  // Reply latency with nothing queued: one update at a time, from the webhook call to the
  // reply's sendMessage arriving at the fake Telegram (through inbox and outbox).
  const replyMs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const chat = 90_000_000 + i;
    const t0 = Date.now();
    const res = await fetch(`${svc.baseUrl}/webhooks/telegram/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(
        telegram.textUpdate({ fromId: chat, text: 'tro giup' }) as object & { update_id: number },
      ).replace(/"update_id":\d+/, `"update_id":${2_000_000_000 + i}`),
    });
    await res.text();
    while (telegram.sentTo(chat).length === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 2));
    const sent = telegram.sentTo(chat)[0];
    replyMs.push(sent ? sent.at - t0 : 10_000);
  }
  replyMs.sort((a, b) => a - b);
  const started = Date.now();
  const real = await load(`${svc.baseUrl}/webhooks/telegram/telegram`, secret, 1);
  // Processing lag: how long after acknowledgement each update was handled.
  for (;;) {
    const [{ pending }] = await db.query<{ pending: number }>(
      `select count(*)::int as pending from inbound_updates
        where bot_key = 'telegram' and processed_at is null and update_id::bigint < 2000000000`,
    );
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const drainS = (Date.now() - started) / 1000;
  const lags = (
    await db.query<{ ms: number }>(
      `select extract(epoch from (processed_at - received_at)) * 1000 as ms from inbound_updates
        where bot_key = 'telegram' and update_id::bigint < 2000000000 order by 1`,
    )
  ).map((r) => Number(r.ms));
  await svc.close();

  const textBacklog = Array.from({ length: updates }, (_, i) => {
    const user = 30_000_000 + (i % Math.max(1, updates / 2));
    return textPayload(BACKLOG_TEXT + i, user);
  });
  const textDrain = await drainBacklog(deps, db, telegram, textBacklog, profile ? profiler : undefined);
  const taps = await tapBacklog(db);
  const cpu = cpuProfile ? await startCpuProfile(cpuProfile) : undefined;
  const tapDrain = await drainBacklog(deps, db, telegram, taps, profile ? profiler : undefined);
  for (const line of (await cpu?.stop()) ?? []) console.log(line);
  for (const [what, drain] of [
    ['text updates from members not linked', textDrain],
    ['taps of linked members (check-in, vote)', tapDrain],
  ] as const) {
    console.log(`backlog of ${updates} ${what}: ${round(drain.perS)} /s`);
    for (const line of drain.profile) console.log(line);
  }
  const ratio = real.per_s / baseline.per_s;
  console.log(
    `baseline (bare Fastify + same insert): ${round(baseline.per_s)} req/s, ` +
      `p50 ${baseline.p50_ms} ms, p99 ${baseline.p99_ms} ms`,
  );
  console.log(
    `webhook route:                          ${round(real.per_s)} updates/s, ` +
      `p50 ${real.p50_ms} ms, p99 ${real.p99_ms} ms, non-2xx ${real.non2xx}`,
  );
  console.log(
    `reply with nothing queued (webhook → sendMessage at the fake Telegram): ` +
      `p50 ${percentile(replyMs, 50)} ms, p99 ${percentile(replyMs, 99)} ms`,
  );
  console.log(
    `processing while the load runs: ${lags.length} updates handled (with a reply each) in ${round(drainS, 1)} s = ` +
      `${round(lags.length / drainS)} /s; ` +
      `lag p50 ${round(percentile(lags, 50))} ms, p99 ${round(percentile(lags, 99))} ms`,
  );
  console.log(
    `processing baseline (the simplest correct inbox → handler → outbox, ${BASELINE_BATCH} updates a ` +
      `transaction): ${round(processingBaseline)} /s; ` +
      `processing ratio ${round(textDrain.perS / processingBaseline)}, ` +
      `taps ${round(tapDrain.perS / processingBaseline)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'webhook',
      updates,
      per_s: round(real.per_s),
      p50_ack_ms: real.p50_ms,
      p99_ack_ms: real.p99_ms,
      processed_per_s: round(textDrain.perS),
      tap_processed_per_s: round(tapDrain.perS),
      lag_p99_ms: round(percentile(lags, 99)),
      reply_p50_ms: percentile(replyMs, 50),
      baseline_per_s: round(baseline.per_s),
      ratio: round(ratio),
      processing_baseline_per_s: round(processingBaseline),
      processing_ratio: round(textDrain.perS / processingBaseline),
      tap_processing_ratio: round(tapDrain.perS / processingBaseline),
    }),
  );
}

const BASELINE_BATCH = 50;
/** Update ids of the backlogs (the webhook load's start at 1, the reply probes at 2 000 000 000). */
const BACKLOG_TEXT = 1_000_000_000;
const BACKLOG_TAPS = 1_500_000_000;
const TAP_CHAT_BASE = 40_000_000;

const textPayload = (updateId: number, user: number) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    from: { id: user, is_bot: false, first_name: 'Bench' },
    chat: { id: user, type: 'private' },
    text: 'tro giup',
  },
});

/**
 * A meeting evening's taps as Telegram delivers them: `updates / 2` linked members in cells of 20,
 * each with a meeting in progress and an open motion (half secret), each member tapping "Điểm
 * danh" and then her vote.
 */
async function tapBacklog(db: Db): Promise<object[]> {
  const members = Math.ceil(updates / 2);
  await generateMeetingEvening(db, {
    cells: Math.ceil(members / 20),
    perCell: 20,
    tokenPrefix: 'sdv_wh_',
    label: 'wh',
  });
  await db.query(
    `insert into chat_accounts (channel, bot_key, external_user_id, chat_id, member_id)
     select 'telegram', 'telegram', ($1::bigint + id)::text, ($1::bigint + id)::text, id from members`,
    [TAP_CHAT_BASE],
  );
  await db.exec('analyze');
  const rows = await db.query<{ memberId: number; motionId: number }>(
    `select m.id as "memberId", mo.id as "motionId" from members m
       join meetings mt on mt.cell_id = m.cell_id and mt.status = 'in_progress' join motions mo on mo.meeting_id = mt.id
      order by m.id limit $1`,
    [members],
  );
  const choices = ['for', 'for', 'for', 'against', 'abstain'] as const;
  let id = BACKLOG_TAPS;
  const tap = (chat: number, data: string) => ({
    update_id: ++id,
    callback_query: {
      id: `cb${id}`,
      from: { id: chat, is_bot: false, first_name: 'Đảng viên' },
      chat_instance: String(chat),
      data,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'private' } },
    },
  });
  return rows
    .flatMap((r) => {
      const chat = TAP_CHAT_BASE + r.memberId;
      const vote = { kind: 'vote', motionId: r.motionId, choice: choices[r.memberId % 5] } as const;
      return [tap(chat, encodeAction({ kind: 'menu', item: 'checkin' })), tap(chat, encodeAction(vote))];
    })
    .slice(0, updates);
}

/**
 * Stores `payloads` in the inbox as the webhook does, then starts the service and waits until it
 * has processed them all; the rate runs from the first claim to the last completion.
 */
async function drainBacklog(
  deps: Deps,
  db: Db,
  telegram: FakeTelegram,
  payloads: object[],
  profiler?: ReturnType<typeof profileDb>,
): Promise<{ perS: number; profile: string[] }> {
  const ids = payloads.map((p) => (p as { update_id: number }).update_id);
  for (let i = 0; i < payloads.length; i += 2000) {
    const chunk = payloads.slice(i, i + 2000);
    await db.query(
      `insert into inbound_updates (channel, bot_key, update_id, chat_key, payload)
       select 'telegram', 'telegram', u, c, p from unnest($1::text[], $2::text[], $3::jsonb[]) as x(u, c, p)`,
      [
        chunk.map((p) => String((p as { update_id: number }).update_id)),
        chunk.map((p) => String(chatOf(p))),
        chunk.map((p) => JSON.stringify(p)),
      ],
    );
  }
  profiler?.start();
  // The bots with their inbox worker, as the service runs them, without the send worker: the
  // baseline stops at the outbox row too (sending is paced by Telegram, bench:broadcast).
  const withUrl = { ...deps, config: { ...deps.config, publicUrl: 'http://127.0.0.1:9' } };
  const bots = createBots(withUrl, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.root });
  await bots.start();
  const range = [String(Math.min(...ids)), String(Math.max(...ids))];
  for (;;) {
    const [{ pending }] = await db.query<{ pending: number }>(
      `select count(*)::int as pending from inbound_updates
        where bot_key = 'telegram' and processed_at is null and update_id::bigint between $1 and $2`,
      range,
    );
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  profiler?.stop();
  await bots.stop();
  const [{ seconds, n }] = await db.query<{ seconds: number; n: number }>(
    `select extract(epoch from max(processed_at) - min(claimed_at))::float8 as seconds, count(*)::int as n
       from inbound_updates where bot_key = 'telegram' and update_id::bigint between $1 and $2`,
    range,
  );
  return { perS: n / seconds, profile: profiler?.report(payloads.length) ?? [] };
}

const chatOf = (p: object) => {
  const u = p as { message?: { chat: { id: number } }; callback_query?: { message: { chat: { id: number } } } };
  return u.message?.chat.id ?? u.callback_query!.message.chat.id;
};

/**
 * The processing baseline (issue 31): the simplest correct inbox → handler → outbox on the same
 * database — claim 50 stored updates, answer each with a fixed text, queue the replies and mark
 * the updates processed, in one transaction — over as many updates as the real run. Returns
 * updates per second.
 */
async function runProcessingBaseline(db: Db): Promise<number> {
  await db.query(
    `insert into inbound_updates (channel, bot_key, update_id, chat_key, payload)
     select 'telegram', 'baseline-proc', g::text, (80000000 + g)::text,
            jsonb_build_object('update_id', g, 'message', jsonb_build_object(
              'message_id', g, 'text', 'tro giup', 'chat', jsonb_build_object('id', 80000000 + g, 'type', 'private'),
              'from', jsonb_build_object('id', 80000000 + g, 'is_bot', false, 'first_name', 'Bench')))
       from generate_series(1, $1::int) g`,
    [updates],
  );
  const started = performance.now();
  for (;;) {
    const n = await db.tx(async (sql) => {
      const rows = await sql.query<{ id: number; payload: { message: { chat: { id: number } } } }>(
        `update inbound_updates set claimed_by = 'baseline', claimed_at = now()
          where id in (select id from inbound_updates where bot_key = 'baseline-proc' and processed_at is null
                        order by id limit ${BASELINE_BATCH} for update skip locked)
          returning id, payload`,
      );
      if (rows.length === 0) return 0;
      await sql.query(
        `insert into outbox_messages (channel, bot_key, chat_id, kind, payload, dedupe_key, lane, inbound_id)
         select 'telegram', 'baseline-proc', r.chat_id, 'reply', r.payload, 'reply:' || r.inbound_id || ':0', 0,
                r.inbound_id
           from unnest($1::bigint[], $2::text[], $3::jsonb[]) as r(inbound_id, chat_id, payload)`,
        [
          rows.map((r) => r.id),
          rows.map((r) => String(r.payload.message.chat.id)),
          rows.map(() => JSON.stringify({ text: 'Đồng chí chọn việc bên dưới.' })),
        ],
      );
      await sql.query(
        `update inbound_updates set processed_at = now(), payload = null, chat_key = null, claimed_by = null
          where id = any($1::bigint[])`,
        [rows.map((r) => r.id)],
      );
      return rows.length;
    });
    if (n === 0) break;
  }
  const perS = updates / ((performance.now() - started) / 1000);
  await db.query(`delete from outbox_messages where bot_key = 'baseline-proc'`);
  return perS;
}

function load(url: string, secret: string, start: number): Promise<LoadResult> {
  return runChild(path.join(HERE, 'webhook-load.ts'), [
    '--url',
    url,
    '--updates',
    String(updates),
    '--connections',
    String(connections),
    '--secret',
    secret || '-',
    '--start',
    String(start),
  ]);
}

runBench(main);
