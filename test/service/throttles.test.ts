/**
 * Guessing is throttled: room check-in codes per member and meeting, web-chat link codes per
 * client address (each sign-in is a new chat id, so the address is what counts), bearer
 * tokens per client address. The counters are in the database, so a second service instance
 * on the same database sees them, and expired counters are deleted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { connectPostgres, type Db } from '../../api/db/connect.ts';
import { THROTTLES } from '../../api/throttle/throttle.ts';
import { readConfig } from '../../api/config.ts';
import { createBots } from '../../bot/bots.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import type { App } from '../../api/server.ts';
import type { Member } from '../../api/members/repository.ts';

let t: TestDb;
let app: App;
/** A second service instance on the same database (its own connection pool on PostgreSQL). */
let app2: App;
let db2: Db;
const clock = new TestClock(new Date('2026-03-12T12:00:00Z'));
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
const tokens = new Map<number, string>();
const members: Member[] = [];
let meetingId: number;
let roomCode: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const as = (m: Member) => bearer(tokens.get(m.id)!);
const rows = async () => (await t.db.query<{ n: number }>(`select count(*)::int n from throttle_attempts`))[0].n;
const wrongCode = () => (roomCode === '000000' ? '111111' : '000000');

beforeAll(async () => {
  t = await createTestDb();
  const deps = testDeps(t.db, clock);
  app = await buildTestApp(deps, { plugins: createBots(deps, {}).plugins });
  db2 = t.url ? await connectPostgres(t.url, 2) : t.db;
  const deps2 = testDeps(db2, clock);
  app2 = await buildTestApp(deps2, { plugins: createBots(deps2, {}).plugins });
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA);
  for (let i = 0; i < 3; i++) {
    const m = await makeMember(t.db, tree.cellA);
    tokens.set(m.id, await makeMemberToken(t.db, m));
    members.push(m);
  }
  const scheduled = await app.inject({
    method: 'POST',
    url: `/orgs/${tree.cellA.id}/meetings`,
    headers: bearer(sec.token),
    payload: { kind: 'regular', startsAt: '2026-03-12T12:00:00Z', mode: 'in_person' },
  });
  meetingId = scheduled.json().id;
  const opened = await app.inject({ method: 'POST', url: `/meetings/${meetingId}/open`, headers: bearer(sec.token) });
  roomCode = opened.json().checkinCode;
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await app?.close();
  await app2?.close();
  if (db2 && db2 !== t.db) await db2.close();
  await t?.close();
});

const checkIn = (a: App, m: Member, code: string) =>
  a.inject({ method: 'POST', url: `/meetings/${meetingId}/check-in`, headers: as(m), payload: { code } });

describe('room check-in codes', () => {
  const refusedAfterWrongCodes =
    `after ${THROTTLES.checkInCode.points} wrong codes a member is refused, ` +
    'on every instance, even with the right code';
  it(refusedAfterWrongCodes, async () => {
    const [guesser, neighbour] = members;
    const limit = THROTTLES.checkInCode.points;
    // Half the guesses on one instance, half on the other: the count is shared.
    for (let i = 0; i < limit; i++) {
      const res = await checkIn(i % 2 ? app2 : app, guesser, wrongCode());
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/Mã điểm danh không đúng/);
    }
    const refused = await checkIn(app2, guesser, roomCode);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().message).toMatch(/quá 5 lần.*thử lại sau \d+ phút/);
    const present = await t.db.query(
      `select 1 from meeting_attendance where member_id = $1 and checked_in_at is not null`,
      [guesser.id],
    );
    expect(present).toHaveLength(0);
    // Another member in the same room is not affected.
    expect((await checkIn(app, neighbour, roomCode)).statusCode).toBe(200);
  });

  it('a right code does not use up the allowance; the block ends with its window', async () => {
    const [guesser, , careful] = members;
    for (let i = 0; i < THROTTLES.checkInCode.points - 1; i++)
      expect((await checkIn(app, careful, wrongCode())).statusCode).toBe(400);
    expect((await checkIn(app, careful, roomCode)).statusCode).toBe(200);
    expect((await checkIn(app, careful, roomCode)).json()).toMatchObject({ ok: true, alreadyPresent: true });

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (THROTTLES.checkInCode.blockDuration + 60) * 1000);
    expect((await checkIn(app, guesser, roomCode)).statusCode).toBe(200);
  });
});

describe('web-chat link codes', () => {
  const signIn = (a: App, code: string, remoteAddress: string) =>
    a.inject({ method: 'POST', url: '/chat/api/session', payload: { code }, remoteAddress });

  it('are throttled per client address although every sign-in is a new chat id', async () => {
    const limit = THROTTLES.linkCodeAddress.points;
    for (let i = 0; i < limit; i++) {
      const res = await signIn(i % 2 ? app2 : app, 'AAAAA-AAAAA', '203.0.113.7');
      expect(res.statusCode).toBe(410);
    }
    const member = await makeMember(t.db, tree.cellA);
    const { code } = await issueLinkCode(testDeps(t.db, clock), sec.principal, member.id);
    const refused = await signIn(app, code, '203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().message).toMatch(/mã liên kết/);
    // The code was not spent: from another address it still signs the member in.
    const ok = await signIn(app, code, '198.51.100.20');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe(member.fullName);
  });
});

describe('a member re-linking from the web chat', () => {
  it('is throttled on the member: a new session or address does not give new tries', async () => {
    const member = await makeMember(t.db, tree.cellA);
    const memberToken = await makeMemberToken(t.db, member);
    const session = async (remoteAddress: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/chat/api/session',
          headers: bearer(memberToken),
          payload: {},
          remoteAddress,
        })
      ).json().token as string;
    let n = 0;
    const say = async (web: string, text: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/chat/api/messages',
        headers: bearer(web),
        payload: { id: `relink-${String(++n).padStart(4, '0')}`, text },
      });
      return (res.json().replies as { text: string }[]).map((r) => r.text).join('\n');
    };
    const limit = THROTTLES.linkCodeAccount.points;
    for (let i = 0; i < limit; i++) {
      // Each guess from a new web-chat session, from a new address.
      const web = await session(`198.51.100.${100 + i}`);
      expect(await say(web, 'lienket AAAAA-AAAAA')).toMatch(/Mã liên kết không đúng/);
    }
    const web = await session('198.51.100.200');
    expect(await say(web, 'lienket AAAAA-AAAAA')).toMatch(/quá 5 lần/);
  });
});

describe('behind a reverse proxy (TRUST_PROXY=true)', () => {
  it('the client address is the one the proxy saw: rotating X-Forwarded-For gives no new tries', async () => {
    const config = { ...testDeps(t.db, clock).config, trustProxy: readConfig({ TRUST_PROXY: 'true' }).trustProxy };
    const proxied = await buildTestApp({ ...testDeps(t.db, clock), config });
    try {
      // The client writes any X-Forwarded-For it likes; the proxy (127.0.0.1) appends the address it saw.
      const guess = (i: number, client = '203.0.113.99') =>
        proxied.inject({
          url: `/orgs/${tree.cellA.id}`,
          headers: { ...bearer(`sdv_proxied${i}`), 'x-forwarded-for': `10.${i}.0.1, ${client}` },
          remoteAddress: '127.0.0.1',
        });
      for (let i = 0; i < THROTTLES.bearerToken.points; i++) expect((await guess(i)).statusCode).toBe(401);
      expect((await guess(999)).statusCode).toBe(429);
      // Another client behind the same proxy is its own address, not the proxy's.
      expect((await guess(1000, '203.0.113.100')).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});

describe('bearer tokens', () => {
  it(`after ${THROTTLES.bearerToken.points} unknown tokens from one address, that address is refused`, async () => {
    const remoteAddress = '192.0.2.55';
    for (let i = 0; i < THROTTLES.bearerToken.points; i++) {
      const res = await app.inject({ url: `/orgs/${tree.cellA.id}`, headers: bearer(`sdv_guess${i}`), remoteAddress });
      expect(res.statusCode).toBe(401);
    }
    const guess = await app2.inject({
      url: `/orgs/${tree.cellA.id}`,
      headers: bearer('sdv_guess-last'),
      remoteAddress,
    });
    expect(guess.statusCode).toBe(429);
    // Other addresses, and tokens that are right, from elsewhere, are served.
    const other = await app.inject({
      url: `/orgs/${tree.cellA.id}`,
      headers: bearer(sec.token),
      remoteAddress: '192.0.2.56',
    });
    expect(other.statusCode).toBe(200);
  });
});

describe('the attempts table', () => {
  it('cannot grow without bound: expired counters are deleted', async () => {
    const before = await rows();
    for (let i = 0; i < 60; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/chat/api/session',
        payload: { code: 'BBBBB-BBBBB' },
        remoteAddress: `10.9.${Math.floor(i / 250)}.${i % 250}`,
      });
      expect(res.statusCode).toBe(410);
    }
    expect(await rows()).toBe(before + 60);
    // Past every window: the next failure sweeps every expired counter away.
    const longest = Math.max(...Object.values(THROTTLES).map((l) => Math.max(l.duration, l.blockDuration)));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (longest + 120) * 1000);
    await app.inject({
      method: 'POST',
      url: '/chat/api/session',
      payload: { code: 'CCCCC-CCCCC' },
      remoteAddress: '10.8.0.1',
    });
    expect(await rows()).toBe(1);
  });
});
