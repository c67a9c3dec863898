/**
 * A stand-alone outbox worker process (a composition root like api/main.ts): sends what
 * the outbox holds through the configured bots. Run as many as needed, beside or apart
 * from the service instances (start those with OUTBOX_WORKER=0): they share the bots'
 * limits through the database. `--exit-when-idle` stops it once nothing is left to send —
 * used by the crash-recovery test and for draining a backlog by hand.
 *
 *   DATABASE_URL=postgres://… TELEGRAM_BOT_TOKEN=… tsx api/outbox/worker-main.ts [--exit-when-idle]
 *
 * OUTBOX_TELEGRAM_RATE (messages/s per Telegram bot), OUTBOX_CONCURRENCY (broadcast sends
 * in flight), OUTBOX_LEASE_SECONDS.
 */
import pino from 'pino';
import { readConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open-database.ts';
import { loadLinkSecret } from '../settings/link-secret.ts';
import { systemClock, type Deps } from '../context.ts';
import { createBots } from '../../bot/bots.ts';
import { startOutboxWorker } from './worker.ts';
import { countUnsent } from './repository.ts';

const config = readConfig();
const log = pino({ level: config.logLevel });
const { db, listenUrl } = await openDatabase(config, 'client');
await migrate(db);
const deps: Deps = { db, clock: systemClock, log, config, linkSecret: await loadLinkSecret(db, config.linkSecret) };
const bots = createBots(deps);
const rate = process.env.OUTBOX_TELEGRAM_RATE ? Number(process.env.OUTBOX_TELEGRAM_RATE) : undefined;
const worker = startOutboxWorker(deps, bots.senders, {
  limits: rate ? { telegram: { perSecond: rate, privateChatGapMs: 0 } } : undefined,
  concurrency: Number(process.env.OUTBOX_CONCURRENCY ?? 8),
  leaseSeconds: Number(process.env.OUTBOX_LEASE_SECONDS ?? 60),
  idlePollMs: 100,
  listenUrl,
});
// On stdout whatever the log level: what starts it (a supervisor, a bench) knows it is sending.
console.log('Outbox worker: running.');
const stop = async () => {
  await worker.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
if (process.argv.includes('--exit-when-idle')) {
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if ((await countUnsent(db)) === 0) break;
  }
  await stop();
}
