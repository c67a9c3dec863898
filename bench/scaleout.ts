/**
 * bench:scaleout — many processes on one PostgreSQL. Starts 2 service instances (webhooks,
 * no send worker) and 3 send workers as separate processes, and a stand-in Bot API in this
 * process that enforces the bot's limit (429 beyond it) and records when each message
 * arrived; then queues N outbox messages to one bot while posting U updates across both
 * instances (each answered through the same bot), and SIGKILLs one worker halfway.
 * Baseline in the same run: the limit itself (a perfect sender gets ratio 1.0).
 *
 *   npm run bench:scaleout -- --messages 20000 --limit 200 --updates 5000
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectPostgres } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { enqueueForMembers } from '../api/outbox/enqueue.ts';
import { countUnsent } from '../api/outbox/repository.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { makeLinkedMembersInBulk, makeOrgTree } from '../test/factories/index.ts';
import { adminQuery, withDatabase } from '../test/support/db.ts';
import { freePort } from '../test/support/spawn-service.ts';
import { benchArgs, benchServerUrl, percentile, round, runBench } from './args.ts';

const { messages, limit, updates, instances, workers } = benchArgs({
  messages: 20_000,
  limit: 200,
  updates: 5000,
  instances: 2,
  workers: 3,
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = '4040:SCALEOUT';
const SECRET = 'bench-webhook-secret';
const FIRST_MEMBER_CHAT = 50_000_001;
const FIRST_UPDATE_CHAT = 70_000_001;
const children: ChildProcess[] = [];

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

async function main() {
  const server = benchServerUrl();
  const name = `bench_scaleout_${crypto.randomBytes(3).toString('hex')}`;
  await adminQuery(server, `create database ${name}`);
  const url = withDatabase(server, name);
  const db = await connectPostgres(url, 4);
  const telegram = await new FakeTelegram([TOKEN]).start();
  telegram.limits = { globalPerSecond: limit, paidPerSecond: 1000, perChatPerSecond: 1, perGroupPerMinute: 20 };
  try {
    await migrate(db);
    const tree = await makeOrgTree(db);
    await makeLinkedMembersInBulk(db, tree.cellA, messages, FIRST_MEMBER_CHAT);
    const common = { DATABASE_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.root };
    const bases: string[] = [];
    for (let i = 0; i < instances; i++) {
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
          // PostgreSQL's 100 connections are shared by every process (and whatever else runs)
          PG_POOL_SIZE: '8',
          WEBHOOK_SECRET: SECRET,
          LINK_SECRET: 'bench-link-secret',
        },
        /Web chat:/,
      );
      bases.push(base);
    }
    const sendWorkers: ChildProcess[] = [];
    for (let i = 0; i < workers; i++)
      sendWorkers.push(
        await spawnProcess(
          'api/outbox/worker-main.ts',
          {
            ...common,
            OUTBOX_TELEGRAM_RATE: String(limit),
            OUTBOX_CONCURRENCY: '32',
            OUTBOX_LEASE_SECONDS: '5',
            PG_POOL_SIZE: '4',
          },
          /Outbox worker: running/,
        ),
      );
    console.log(`${instances} service instances and ${workers} send workers running on ${name}`);

    const ids = (await db.query<{ id: number }>(`select id from members where cell_id = $1`, [tree.cellA.id])).map(
      (r) => r.id,
    );
    const started = Date.now();
    await enqueueForMembers(db, ids, { text: 'Thông báo toàn quốc' }, { kind: 'scaleout' });

    // Updates across both instances, spread over the first half of the run, 16 in flight.
    const posted = new Map<string, number>();
    let webhookRetries = 0;
    const spreadMs = ((messages / limit) * 1000) / 2;
    const poster = (async () => {
      let next = 0;
      const one = async () => {
        for (;;) {
          const i = next++;
          if (i >= updates) return;
          const due = started + (i / updates) * spreadMs;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          const chat = FIRST_UPDATE_CHAT + i;
          posted.set(String(chat), Date.now());
          // Like a platform, re-send an update whose webhook call failed (the inbox de-duplicates).
          for (let attempt = 1; ; attempt++) {
            const res = await fetch(`${bases[(i + attempt - 1) % bases.length]}/webhooks/telegram/telegram`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
              body: JSON.stringify({
                update_id: 1_000_000 + i,
                message: {
                  message_id: i + 1,
                  date: Math.floor(Date.now() / 1000),
                  from: { id: chat, is_bot: false, first_name: 'Bench' },
                  chat: { id: chat, type: 'private' },
                  text: 'tro giup',
                },
              }),
            });
            await res.text();
            if (res.status === 200) break;
            webhookRetries++;
            if (attempt >= 10) throw new Error(`webhook answered ${res.status}`);
            await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, one));
    })();

    const total = messages + updates;
    const deadline = started + (total / limit) * 3000 + 120_000;
    let killed = false;
    for (;;) {
      if (!killed && telegram.sent.length >= total / 2) {
        sendWorkers[0].kill('SIGKILL');
        killed = true;
        console.log(`SIGKILL one worker after ${telegram.sent.length} sends`);
      }
      if (killed && Date.now() > deadline) break;
      if (killed && (await countUnsent(db)) === 0 && telegram.sent.length >= total) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await poster;
    await new Promise((r) => setTimeout(r, 1000)); // anything arriving now is a duplicate

    const perChat = new Map<string, number>();
    for (const m of telegram.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const expected = [
      ...Array.from({ length: messages }, (_, i) => String(FIRST_MEMBER_CHAT + i)),
      ...Array.from({ length: updates }, (_, i) => String(FIRST_UPDATE_CHAT + i)),
    ];
    const lost = expected.filter((c) => !perChat.has(c)).length;
    const duplicates = telegram.sent.length - perChat.size;
    const times = telegram.sent.map((m) => m.at).sort((a, b) => a - b);
    const perS = (times.length - 1) / ((times.at(-1)! - times[0]) / 1000);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const unsent = await countUnsent(db);
    const [{ twice }] = await db.query<{ twice: number }>(
      `select count(*)::int as twice from inbound_updates where attempts > 1`,
    );
    const [{ processed }] = await db.query<{ processed: number }>(
      `select count(*)::int as processed from inbound_updates where processed_at is not null`,
    );
    const replyLag = telegram.sent
      .filter((m) => posted.has(m.chatId))
      .map((m) => m.at - posted.get(m.chatId)!)
      .sort((a, b) => a - b);

    console.log(`baseline: the bot's limit, ${limit}/s (a perfect sender's ratio is 1.0)`);
    console.log(
      `sent ${telegram.sent.length} (${messages} broadcast + ${updates} replies) at ${round(perS)}/s; ` +
        `busiest 1 s window ${busiest}; 429s ${telegram.tooManyRequests}; lost ${lost}; duplicates ${duplicates}`,
    );
    console.log(
      `still queued at the deadline (counted as lost): ${unsent}; ` +
        `updates processed ${processed}/${updates}, twice ${twice}; webhook calls re-sent ${webhookRetries}; ` +
        `reply latency during the broadcast p50 ${percentile(replyLag, 50)} ms, p99 ${percentile(replyLag, 99)} ms`,
    );
    console.log(
      JSON.stringify({
        bench: 'scaleout',
        instances,
        workers,
        messages,
        limit_per_s: limit,
        per_s: round(perS),
        ratio: round(perS / limit),
        max_window_per_s: busiest,
        lost,
        duplicates,
        updates,
        updates_processed_twice: twice,
      }),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await telegram.close();
    await db.close();
    await new Promise((r) => setTimeout(r, 500));
    await adminQuery(server, `drop database if exists ${name} with (force)`);
  }
}

runBench(main);
