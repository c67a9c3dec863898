/**
 * Three send workers as separate processes on one database share one bot's limit: together
 * they never exceed it in any one-second window, and when one is killed with SIGKILL in the
 * middle, the others finish its work — nobody is lost, duplicates at most its in-flight
 * window. On PostgreSQL when DATABASE_URL is set; otherwise on the embedded database, the
 * workers reaching it through the running service (as the command-line tools do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../api/db/connect.ts';
import { openDatabase } from '../../api/db/open-database.ts';
import { enqueueForMembers } from '../../api/outbox/enqueue.ts';
import { countUnsent } from '../../api/outbox/repository.ts';
import { makeLinkedMembersInBulk, makeOrgTree } from '../factories/index.ts';
import { FakeTelegram, waitFor } from '../support/bot-harness.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { startService, type RunningService } from '../support/spawn-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TG = '9191:WORKERS';
const MESSAGES = 1000;
const LIMIT = 100;
const CONCURRENCY = 8;
const onPostgres = Boolean(process.env.DATABASE_URL?.startsWith('postgres'));

let telegram: FakeTelegram | undefined;
let pgTest: TestDb | undefined;
let service: RunningService | undefined;
let db: Db | undefined;
let dataDir: string | undefined;
const workers: ChildProcess[] = [];

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  if (!onPostgres) await db?.close();
  await service?.stop('SIGKILL');
  await pgTest?.close();
  await telegram?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/outbox/worker-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      TELEGRAM_BOT_TOKEN: TG,
      TELEGRAM_API_ROOT: telegram!.root,
      OUTBOX_TELEGRAM_RATE: String(LIMIT),
      OUTBOX_CONCURRENCY: String(CONCURRENCY),
      OUTBOX_LEASE_SECONDS: '3',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(child);
  return child;
}

/** The most sends that fell in any one-second window. */
function busiestWindow(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('several send workers on one database', () => {
  it('share the bot’s limit and finish the work of a worker killed mid-run', async () => {
    telegram = await new FakeTelegram([TG]).start();
    let env: Record<string, string>;
    if (onPostgres) {
      pgTest = await createTestDb();
      db = pgTest.db;
      env = { DATABASE_URL: pgTest.url! };
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-workers-'));
      env = { DATABASE_URL: '', DATA_DIR: dataDir };
      service = await startService({ ...env, DEMO: '0', OUTBOX_WORKER: '0' }, /Web chat:/, 400_000);
      db = (await openDatabase({ databaseUrl: '', dataDir }, 'client')).db;
    }
    const tree = await makeOrgTree(db);
    const ids = await makeLinkedMembersInBulk(db, tree.cellA, MESSAGES, 300_001);
    expect(await enqueueForMembers(db, ids, { text: 'Thông báo chung' }, { kind: 'workers-test' })).toBe(MESSAGES);

    const [victim] = [startWorker(env), startWorker(env), startWorker(env)];
    await waitFor(() => telegram!.sent.length >= MESSAGES / 3, 240_000, 'a third sent before the kill');
    victim.kill('SIGKILL');
    await waitFor(async () => (await countUnsent(db!)) === 0, 300_000, 'everything sent by the others');

    const perChat = new Map<string, number>();
    for (const m of telegram.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const lost = ids.length - perChat.size;
    const duplicates = telegram.sent.length - perChat.size;
    const busiest = busiestWindow(telegram.sent.map((m) => m.at));
    console.log(JSON.stringify({ test: 'outbox-workers', onPostgres, messages: MESSAGES, lost, duplicates, busiest }));
    expect(lost).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    expect(busiest).toBeLessThanOrEqual(Math.floor(LIMIT * 1.05));
  }, 900_000);
});
