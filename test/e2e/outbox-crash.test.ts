/**
 * Kill the worker process (SIGKILL) in the middle of a 5 000-recipient broadcast and start
 * it again: every recipient gets the notice; duplicates are at most the in-flight window.
 * On PostgreSQL when DATABASE_URL is set, else on a file-backed PGlite that each process
 * opens in turn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPglite } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeLinkedMembersInBulk, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import { FakeTelegram, waitFor } from '../support/bot-harness.ts';
import type { Db } from '../../api/db/connect.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TG = '8080:CRASH';
const RECIPIENTS = 5000;
const CONCURRENCY = 8;
let telegram: FakeTelegram;
let pgTest: TestDb | undefined;
let dir: string | undefined;
let running: ChildProcess | undefined;

afterAll(async () => {
  running?.kill('SIGKILL');
  await telegram?.close();
  await pgTest?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function seed(db: Db) {
  const tree = await makeOrgTree(db);
  await makeLinkedMembersInBulk(db, tree.cellA, RECIPIENTS, 100_001);
  const { principal } = await makeUserWithRole(db, tree.commune, 'committee');
  const notice = await publishNotice(testDeps(db), principal, {
    orgId: tree.commune.id,
    kind: 'notice',
    title: 'Thông báo khẩn',
    body: 'Toàn văn thông báo.',
  });
  expect(notice.recipients).toBe(RECIPIENTS);
}

function startWorker(databaseUrl: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/outbox/worker-main.ts', '--exit-when-idle'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TELEGRAM_BOT_TOKEN: TG,
      TELEGRAM_API_ROOT: telegram.root,
      OUTBOX_TELEGRAM_RATE: '3000',
      OUTBOX_CONCURRENCY: String(CONCURRENCY),
      OUTBOX_LEASE_SECONDS: '2',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  running = child;
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

describe('crash recovery of a broadcast', () => {
  it(`SIGKILL mid-way through ${RECIPIENTS} recipients loses nobody`, async () => {
    telegram = await new FakeTelegram([TG]).start();
    let url: string;
    if (process.env.DATABASE_URL?.startsWith('postgres')) {
      pgTest = await createTestDb();
      await seed(pgTest.db);
      url = pgTest.url!;
    } else {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-crash-'));
      const db = await connectPglite(dir);
      await migrate(db);
      await seed(db);
      await db.close();
      url = `file://${dir}`;
    }

    const first = startWorker(url);
    await waitFor(() => telegram.sent.length >= 1500, 240_000, '1500 sends before the kill');
    first.child.kill('SIGKILL');
    await first.exited;
    const sentBeforeKill = telegram.sent.length;
    expect(sentBeforeKill).toBeLessThan(RECIPIENTS);

    const second = startWorker(url);
    const code = await Promise.race([second.exited, new Promise((r) => setTimeout(r, 180_000, 'still running'))]);
    // On PostgreSQL, say what was left unsent when the worker did not finish.
    const left = await pgTest?.db.query(
      `select status, last_error, count(*)::int as n from outbox_messages where status <> 'sent' group by 1, 2`,
    );
    expect({ code, left: code === 0 ? [] : left }).toEqual({ code: 0, left: [] });

    const perChat = new Map<string, number>();
    for (const m of telegram.sent) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const lost = Array.from({ length: RECIPIENTS }, (_, i) => String(100001 + i)).filter((c) => !perChat.has(c)).length;
    const duplicates = telegram.sent.length - perChat.size;
    console.log(
      JSON.stringify({
        test: 'outbox-crash',
        recipients: RECIPIENTS,
        sent_before_kill: sentBeforeKill,
        lost,
        duplicates,
        in_flight_window: CONCURRENCY,
      }),
    );
    expect(lost).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
  }, 480_000);
});
