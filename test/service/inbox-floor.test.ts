/**
 * The inbox claims from a floor rather than from its start (issue 31: the dead entries that
 * processed updates leave behind slowed every claim through an evening). An update whose insert
 * commits after later ones were processed — two instances storing at once, one slower to
 * commit — has an id below what was already processed, and must still be answered at once,
 * not when the worker next looks at the whole inbox. Needs a second connection: PostgreSQL only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../api/context.ts';
import { insertUpdate } from '../../api/inbox/repository.ts';
import { testDeps } from '../support/app.ts';
import { FakeTelegram, startServiceWithBots, telegramDriver, waitFor, type Running } from '../support/bot-harness.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const TG = '5252:FLOOR';
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let svc: Running;

describe.runIf(onPostgres)('the inbox claim’s floor', () => {
  beforeAll(async () => {
    t = await createTestDb();
    deps = testDeps(t.db);
    telegram = await new FakeTelegram([TG]).start();
    svc = await startServiceWithBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root }, true);
  });
  afterAll(async () => {
    await svc?.close();
    await telegram?.close();
    await t?.close();
  });

  it('an update committed after later ones were processed is answered at once', async () => {
    const driver = telegramDriver(deps, telegram, TG, 'telegram', 'webhook');
    // Updates come and go for longer than the floor takes to settle, so the worker claims from a floor above 0.
    for (let i = 0; i < 7; i++) {
      expect(await driver.say({ id: '7201' }, '/help')).toHaveLength(1);
      await sleep(900);
    }
    const late = telegram.textUpdate({ fromId: 7202, chatId: 7202, chatType: 'private', text: '/help' });
    let commit!: () => void;
    const held = new Promise<void>((r) => {
      commit = r;
    });
    const storing = t.db.tx(async (tx) => {
      await insertUpdate(tx, {
        channel: 'telegram',
        botKey: 'telegram',
        updateId: String(late.update_id),
        chatKey: '7202',
        payload: late,
      });
      await held;
    });
    // While that insert is uncommitted, later updates are stored, processed and answered.
    for (let i = 0; i < 3; i++) {
      expect(await driver.say({ id: '7201' }, '/help')).toHaveLength(1);
      await sleep(900);
    }
    commit();
    await storing;
    const committedAt = Date.now();
    // The worker polls every second when idle; the whole inbox is looked at only every 30 s.
    await waitFor(() => telegram.sentTo('7202').length > 0, 10_000, 'the late update answered');
    expect(Date.now() - committedAt).toBeLessThan(3_000);
    expect(telegram.sentTo('7202')).toHaveLength(1);
  });
});
