/**
 * bench:broadcast — one notice published to N linked members, delivered by the outbox
 * worker through the real Telegram sender to a fake Bot API that enforces a global limit
 * and a per-chat limit and answers 429 with retry_after; next to a naive sequential
 * `await sendMessage` loop against the same server, in the same run. On PostgreSQL.
 *
 *   npm run bench:broadcast -- --recipients 5000 --limit 30
 */
import { Telegram } from 'telegraf';
import type { Db } from '../api/db/connect.ts';
import { publishNotice } from '../api/notices/publish-notice.ts';
import { startOutboxWorker } from '../api/outbox/worker.ts';
import { createBots } from '../bot/bots.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { makeLinkedMembersInBulk, makeOrgTree, makeUserWithRole } from '../test/factories/index.ts';
import { benchArgs, benchDeps, percentile, round, runBench, withBenchDatabase } from './args.ts';

const { recipients, limit, naive } = benchArgs({ recipients: 5000, limit: 30, naive: 0 });
const TOKEN = '31337:BROADCAST';

async function main() {
  const telegram = await new FakeTelegram([TOKEN]).start();
  telegram.limits = { globalPerSecond: limit, paidPerSecond: 1000, perChatPerSecond: 1, perGroupPerMinute: 20 };
  try {
    await withBenchDatabase('bench_broadcast', 10, (db) => measure(db, telegram));
  } finally {
    await telegram.close();
  }
}

async function measure(db: Db, telegram: FakeTelegram) {
  const deps = benchDeps(db);
  const tree = await makeOrgTree(db);
  await makeLinkedMembersInBulk(db, tree.cellA, recipients, 1_000_001);
  const { principal } = await makeUserWithRole(db, tree.commune, 'committee');

  // The limiter runs at the published limit; the server enforces the same one.
  const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.root });
  const worker = startOutboxWorker(deps, bots.senders, {
    limits: { telegram: { perSecond: limit } },
    concurrency: 8,
    idlePollMs: 20,
  });
  const published = Date.now();
  await publishNotice(deps, principal, {
    orgId: tree.commune.id,
    kind: 'notice',
    title: 'Thông báo toàn đảng bộ',
    body: 'Nội dung thông báo.',
  });
  const deadline = published + (recipients / limit) * 3000 + 60_000;
  while (telegram.sent.length < recipients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500)); // anything extra would be a duplicate
  await worker.stop();

  const chats = new Map<string, number>();
  for (const m of telegram.sent) chats.set(m.chatId, (chats.get(m.chatId) ?? 0) + 1);
  const duplicates = telegram.sent.length - chats.size;
  const lost = recipients - chats.size;
  const first = Math.min(...telegram.sent.map((m) => m.at));
  const last = Math.max(...telegram.sent.map((m) => m.at));
  const perS = (telegram.sent.length - 1) / ((last - first) / 1000);
  const latencies = telegram.sent.map((m) => m.at - published).sort((a, b) => a - b);
  const tooMany = telegram.tooManyRequests;

  // Naive: a sequential await-sendMessage loop against the same server, fresh chats.
  const naiveCount = naive || Math.min(recipients, Math.max(limit * 5, 100));
  telegram.sent = [];
  const client = new Telegram(TOKEN, { apiRoot: telegram.root });
  const naiveStart = Date.now();
  let naiveOk = 0;
  for (let i = 0; i < naiveCount; i++) {
    try {
      await client.sendMessage(9_000_000 + i, 'Thông báo');
      naiveOk++;
    } catch {
      // a naive loop just moves on after a 429
    }
  }
  const naivePerS = naiveOk / ((Date.now() - naiveStart) / 1000);

  console.log(
    `outbox: ${telegram.sent.length === 0 ? chats.size : chats.size} recipients reached at ${round(perS)} msg/s ` +
      `against a limit of ${limit}/s (ratio ${round(perS / limit)}); ` +
      `429s ${tooMany}; duplicates ${duplicates}; lost ${lost}`,
  );
  console.log(
    `publish→delivery latency p50 ${round(percentile(latencies, 50) / 1000, 2)} s, ` +
      `p99 ${round(percentile(latencies, 99) / 1000, 2)} s`,
  );
  console.log(
    `naive sequential loop: ${naiveOk}/${naiveCount} delivered at ${round(naivePerS)} msg/s (the rest lost to 429s)`,
  );
  console.log(
    JSON.stringify({
      bench: 'broadcast',
      recipients,
      per_s: round(perS),
      limit_per_s: limit,
      ratio: round(perS / limit),
      lost,
      duplicates,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      too_many_requests: tooMany,
      naive_per_s: round(naivePerS),
      naive_lost: naiveCount - naiveOk,
    }),
  );
}

runBench(main);
