/**
 * The composition root: reads the environment, opens the database (embedded PGlite by
 * default), applies migrations, loads the demo organisation on first start, and starts the
 * HTTP service. It is the one place that wires api/, bot/ and knowledge/ together.
 */
import { readConfig } from './config.ts';
import crypto from 'node:crypto';
import { safeUrl } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-database.ts';
import { localDbRoutes } from './db/remote.ts';
import { ensureChannels } from './chat-channels/ensure-channels.ts';
import { AppError } from './errors.ts';
import { createLogger } from './http/logger.ts';
import { buildServer } from './server.ts';
import { systemClock, type Deps } from './context.ts';
import { loadLinkSecret } from './settings/link-secret.ts';
import { prepareDemo } from './demo/prepare-demo.ts';
import { createBots } from '../bot/bots.ts';
import { startOutboxWorker } from './outbox/worker.ts';
import { startScheduler } from './scheduler.ts';
import { ensureLexicalIndex } from '../knowledge/store.ts';

async function main() {
  const config = readConfig();
  const log = createLogger(config.logLevel);
  const opened = await openDatabase(config, 'service');
  const db = opened.db;
  const applied = await migrate(db);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  const reindexed = await ensureLexicalIndex(db);
  if (reindexed) log.info({ chunks: reindexed }, 'lexical index rebuilt');
  const deps: Deps = { db, clock: systemClock, log, config, linkSecret: await loadLinkSecret(db, config.linkSecret) };

  // Replies wake this process's send worker at once; other processes hear NOTIFY (PostgreSQL).
  let outbox: ReturnType<typeof startOutboxWorker> | undefined;
  const bots = createBots(deps, process.env, { inbox: { onReplies: () => outbox?.kick() } });
  await ensureChannels(db, bots.channelNames);
  // While this service owns the embedded database, the CLI tools do their SQL through it.
  const localSecret = crypto.randomBytes(24).toString('base64url');
  const plugins = [...bots.plugins, ...(opened.advertise ? [localDbRoutes(db, localSecret)] : [])];
  const app = await buildServer(deps, { plugins });
  await app.listen({ port: config.port, host: config.host });
  opened.advertise?.(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, localSecret);
  // OUTBOX_WORKER=0: this instance only receives; separate worker processes send.
  if (process.env.OUTBOX_WORKER !== '0')
    outbox = startOutboxWorker(deps, bots.senders, { listenUrl: opened.listenUrl });
  await bots.start();
  const scheduler = startScheduler(deps);
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const demo = config.demo ? await prepareDemo(deps, base) : null;

  const where =
    db.kind === 'postgres'
      ? safeUrl(config.databaseUrl)
      : config.databaseUrl === 'memory://'
        ? 'PGlite in memory'
        : `PGlite in ${config.dataDir}`;
  const loopbackOnly = config.host === '127.0.0.1';
  const metrics = config.metricsToken
    ? `${base}/metrics (Authorization: Bearer <METRICS_TOKEN>)`
    : 'tắt (đặt METRICS_TOKEN để bật)';
  // The banner stands apart from the log lines around it: ruled above and below, in plain text.
  const rule = '═'.repeat(78);
  const lines = [
    '',
    rule,
    `  Sổ tay Đảng viên — dịch vụ bot đang chạy (database: ${where})`,
    rule,
    `  Trang đầu: ${base}/   (lối vào web chat, trang quản trị và tài liệu API)`,
    `  Web chat:  ${base}/chat`,
    `  Quản trị:  ${base}/console   (đăng nhập bằng đường dẫn một lần, nhắn "quản trị" cho bot)`,
    `  API docs:  ${base}/docs   (OpenAPI JSON: ${base}/docs/json)`,
    `  Health:    ${base}/health   Metrics: ${metrics}`,
    `  Listening: ${config.host}:${config.port}${loopbackOnly ? ' (this machine only; HOST=0.0.0.0 to open)' : ''}`,
    `  ${bots.summary}`,
    ...(demo?.lines ?? ['  Demo: off (DEMO=0). Admin token: npm run admin -- token --org <id>']),
    ...(demo?.signIn.length
      ? [
          '',
          '  Thử với vai trò của từng người (demo; mỗi lần khởi động cấp đường dẫn mới, thay đường dẫn cũ):',
          ...demo.signIn,
          '  Đường dẫn quản trị hết hạn: mở web chat của người đó và nhắn "quản trị" để nhận đường dẫn mới.',
        ]
      : []),
    rule,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    scheduler.stop();
    await bots.stop();
    await outbox?.stop();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof AppError && error.code === 'startup') {
    process.stderr.write(`\n${error.message}\n\n`);
  } else {
    process.stderr.write(`Không khởi động được dịch vụ: ${(error as Error).stack ?? error}\n`);
  }
  process.exit(1);
});
