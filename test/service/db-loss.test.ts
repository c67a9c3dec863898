/**
 * Losing the database: a backend terminated in the middle of a transaction, and PostgreSQL
 * going away and coming back (a restart, as the service sees it: every connection reset,
 * connections refused for a while). The affected requests get 503, nothing half-done is
 * kept, nothing accepted before is lost, no 'error' event goes unhandled (vitest fails the
 * run on one), and the service answers again by itself, without a restart.
 *
 * PostgreSQL only: PGlite runs inside the process and has no connection to lose. The
 * restart goes through a TCP proxy in front of the shared test server, which other test
 * files use at the same time and which must not really be restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, DatabaseUnavailableError, type Db } from '../../api/db/connect.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, testDeps } from '../support/app.ts';
import { linkChat, makeLinkedMembersInBulk, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { isProcessed } from '../../api/inbox/repository.ts';
import { APOLOGY } from '../../bot/core/conversation.ts';
import type { App } from '../../api/server.ts';
import { enqueueForMembers } from '../../api/outbox/enqueue.ts';
import { countUnsent } from '../../api/outbox/repository.ts';
import { startOutboxWorker } from '../../api/outbox/worker.ts';
import { createBots } from '../../bot/bots.ts';
import { FakeTelegram } from '../support/bot-harness.ts';
import { proxyTo, type TcpProxy } from '../support/tcp-proxy.ts';

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
const APP_NAME = 'sotay_db_loss_under_test';

describe.runIf(onPostgres)('losing the database', () => {
  let t: TestDb;
  let proxy: TcpProxy;
  let db: Db;
  let app: App;
  let cellId: number;
  let token: string;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;

  const members = async () => (await t.db.query<{ n: number }>(`select count(*)::int n from members`))[0].n;
  const addMember = (fullName: string) =>
    app.inject({
      method: 'POST',
      url: `/orgs/${cellId}/members`,
      headers: { authorization: `Bearer ${token}` },
      payload: { fullName, gender: 'female', status: 'official', admittedOn: '2015-02-03', officialOn: '2016-02-03' },
    });
  const health = () => app.inject({ url: '/health' });

  beforeAll(async () => {
    t = await createTestDb();
    const { proxy: started, url: viaProxy } = await proxyTo(t.url!);
    proxy = started;
    viaProxy.searchParams.set('application_name', APP_NAME);
    db = await connectPostgres(viaProxy.toString(), 4);
    app = await buildTestApp(testDeps(db));
    tree = await makeOrgTree(t.db);
    cellId = tree.cellA.id;
    token = (await makeSecretary(t.db, tree.cellA)).token;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => {});
    await proxy?.stop();
    await t?.close();
  });

  /** The service's backends, seen from the test's own connection. */
  const backends = (where = 'true') =>
    t.db.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and application_name = $1 and ${where}`,
      [APP_NAME],
    );

  /**
   * Holds `table` in an exclusive lock from the test's own connection, so the service's next
   * statement on it waits inside its transaction; `release` lets go, `holder` ends with it.
   */
  async function holdTable(table: string) {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = t.db.tx(async (sql) => {
      await sql.query(`lock table ${table} in access exclusive mode`);
      locked();
      await held;
    });
    await isLocked;
    return { release, holder };
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 6_000): Promise<T> {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      const v = await probe();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('a backend terminated mid-transaction fails that request with 503 and keeps nothing of it', async () => {
    expect((await addMember('Trước Sự Cố')).statusCode).toBe(201);
    const before = await members();

    // Hold the members table so the request stops inside its transaction, then kill its backend.
    const { release, holder } = await holdTable('members');
    const pending = addMember('Giữa Sự Cố');
    const [blocked] = await waitFor('the request to wait inside its transaction', async () => {
      const rows = await backends(`wait_event_type = 'Lock'`);
      return rows.length > 0 && rows;
    });
    await t.db.query('select pg_terminate_backend($1)', [blocked.pid]);
    const res = await pending;
    release();
    await holder;

    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: 'unavailable', message: expect.stringMatching(/tạm thời gián đoạn/) });
    expect(await members()).toBe(before);
    // The next requests are served without a restart.
    expect((await health()).statusCode).toBe(200);
    expect((await addMember('Sau Sự Cố')).statusCode).toBe(201);
    expect(await members()).toBe(before + 1);
  });

  it('every idle connection terminated at once: the pool replaces them, nothing is unhandled', async () => {
    await health(); // at least one pooled connection is open
    const idle = await backends();
    expect(idle.length).toBeGreaterThan(0);
    await t.db.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = $1`,
      [APP_NAME],
    );
    // Requests that hit a dead pooled connection fail with 503 or are served by a new one.
    for (let i = 0; i < 5; i++) expect([200, 503]).toContain((await health()).statusCode);
    await waitFor('health', async () => (await health()).statusCode === 200);
  });

  it('a transaction whose backend dies rejects with DatabaseUnavailableError at the Db level', async () => {
    // Its rejection is caught at once: it may come before the terminate statement's answer.
    const running = db
      .tx(async (sql) => {
        await sql.query('select pg_sleep(30)');
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    const [sleeping] = await waitFor('the sleeping transaction', async () => {
      const rows = await backends(`query like '%pg_sleep%'`);
      return rows.length > 0 && rows;
    });
    await t.db.query('select pg_terminate_backend($1)', [sleeping.pid]);
    expect(await running).toBeInstanceOf(DatabaseUnavailableError);
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('PostgreSQL restarting: 503 while it is away, served again when it is back, nothing lost', async () => {
    const before = await members();
    await proxy.stop();

    const started = performance.now();
    const down = await health();
    expect(down.statusCode).toBe(503);
    const refused = await addMember('Lúc Mất Kết Nối');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toMatch(/thử lại sau/);
    // Refused promptly, not after queueing forever.
    expect(performance.now() - started).toBeLessThan(15_000);

    await proxy.start();
    await waitFor('health after the restart', async () => (await health()).statusCode === 200);
    expect((await addMember('Sau Khởi Động Lại')).statusCode).toBe(201);
    // Everything accepted before is there; the refused member is not.
    expect(await members()).toBe(before + 1);
    const names = await t.db.query<{ full_name: string }>(`select full_name from members order by id`);
    expect(names.map((r) => r.full_name)).toEqual(
      expect.arrayContaining(['Trước Sự Cố', 'Sau Sự Cố', 'Sau Khởi Động Lại']),
    );
    expect(names.map((r) => r.full_name)).not.toContain('Lúc Mất Kết Nối');
  });

  it('a broadcast that loses the database mid-way: everyone gets it once, and nothing stays stuck', async () => {
    const TG = '5151:DBLOSS';
    const RECIPIENTS = 300;
    const telegram = await new FakeTelegram([TG]).start();
    try {
      const ids = await makeLinkedMembersInBulk(t.db, tree.cellB, RECIPIENTS, 510_001);
      await enqueueForMembers(t.db, ids, { text: 'Thông báo' }, { kind: 'db-loss' });
      const deps = testDeps(db);
      const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root });
      const worker = startOutboxWorker(deps, bots.senders, {
        idlePollMs: 20,
        leaseSeconds: 3,
        limits: { telegram: { perSecond: 100, privateChatGapMs: 0 } },
      });
      // Away for a second and a half while sends are in flight, then back.
      await waitFor('the first sends', async () => telegram.sent.length >= 60);
      await proxy.stop();
      await new Promise((r) => setTimeout(r, 1500));
      await proxy.start();
      await waitFor('an empty outbox', async () => (await countUnsent(t.db)) === 0, 30_000);
      await worker.stop();

      const chats = new Set(telegram.sent.map((m) => m.chatId));
      expect(chats.size).toBe(RECIPIENTS);
      // Sends finished while the database was away are recorded once it is back, not sent again.
      expect(telegram.sent.length).toBe(RECIPIENTS);
    } finally {
      await telegram.close();
    }
  });

  it('a chat check-in whose processing loses the database is processed again, not completed as done', async () => {
    // The tap was stored and answered "Đã ghi nhận": completing it with an apology would lose it.
    const TG = '5252:DBLOSS';
    const telegram = await new FakeTelegram([TG]).start();
    const deps = testDeps(db);
    const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root });
    try {
      const sec = await makeSecretary(t.db, tree.cellB, { fullName: 'Bí Thư Sự Cố' });
      const member = await makeMember(t.db, tree.cellB, { fullName: 'Điểm Danh Lúc Sự Cố' });
      await linkChat(t.db, member, 'telegram', '520001', 'telegram');
      const meeting = await scheduleMeeting(deps, sec.principal, {
        cellId: tree.cellB.id,
        kind: 'regular',
        startsAt: new Date(Date.now() + 60_000),
        mode: 'online',
        place: 'Trực tuyến',
      });
      await openMeeting(deps, sec.principal, meeting.id);

      // The roll held, so the check-in stops inside its transaction; then its backend dies.
      const { release, holder } = await holdTable('meeting_attendance');
      const update = telegram.textUpdate({ fromId: 520001, text: 'diem danh' });
      const stored = await bots.inbox.accept(bots.channels[0], update, {
        updateId: String(update.update_id),
        chatId: '520001',
      });
      expect(stored).toBe(true);
      bots.inbox.start();
      const [blocked] = await waitFor('the check-in to wait inside its transaction', async () => {
        const rows = await backends(`wait_event_type = 'Lock'`);
        return rows.length > 0 && rows;
      });
      await t.db.query('select pg_terminate_backend($1)', [blocked.pid]);
      release();
      await holder;

      const [{ id }] = await t.db.query<{ id: number }>(`select id from inbound_updates where update_id = $1`, [
        String(update.update_id),
      ]);
      await waitFor('the update processed', () => isProcessed(t.db, id), 20_000);
      await bots.inbox.stop();
      const roll = await t.db.query<{ n: number }>(
        `select count(*)::int n from meeting_attendance where meeting_id = $1 and member_id = $2
            and checked_in_at is not null`,
        [meeting.id, member.id],
      );
      expect(roll[0].n).toBe(1);
      const replies = await t.db.query<{ text: string }>(
        `select payload->>'text' as text from outbox_messages where chat_id = '520001' and kind = 'reply'`,
      );
      expect(replies.map((r) => r.text)).not.toContain(APOLOGY);
      expect(replies.map((r) => r.text).join('\n')).toMatch(/điểm danh/);
    } finally {
      await bots.inbox.stop();
      await telegram.close();
    }
  });
});
