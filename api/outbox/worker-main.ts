/**
 * A stand-alone outbox worker process (a composition root like api/main.ts): sends what
 * the outbox holds through the configured bots. `--exit-when-idle` stops it once nothing is
 * left to send — used by the crash-recovery test and for draining a backlog by hand.
 *
 *   DATABASE_URL=postgres://… TELEGRAM_BOT_TOKEN=… tsx api/outbox/worker-main.ts [--exit-when-idle]
 */
import pino from 'pino';
import { readConfig } from '../config.ts';
import { connectDb } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { loadLinkSecret } from '../settings/link-secret.ts';
import { systemClock, type Deps } from '../context.ts';
import { createBots } from '../../bot/bots.ts';
import { startOutboxWorker } from './worker.ts';

const config = readConfig();
const log = pino({ level: config.logLevel });
const db = await connectDb(config.databaseUrl, config.dataDir);
await migrate(db);
const deps: Deps = { db, clock: systemClock, log, config, linkSecret: await loadLinkSecret(db, config.linkSecret) };
const bots = createBots(deps);
const rate = Number(process.env.OUTBOX_TELEGRAM_RATE ?? 30);
const worker = startOutboxWorker(deps, bots.senders, {
  limits: { telegram: { perSecond: rate, privateChatGapMs: 0 } },
  concurrency: Number(process.env.OUTBOX_CONCURRENCY ?? 8),
  leaseSeconds: Number(process.env.OUTBOX_LEASE_SECONDS ?? 60),
  idlePollMs: 100,
});
if (process.argv.includes('--exit-when-idle')) {
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from outbox_messages where status in ('queued', 'sending')`,
    );
    if (n === 0) break;
  }
  await worker.stop();
  await db.close();
  process.exit(0);
}
