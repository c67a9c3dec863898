/**
 * The rush of a meeting evening: check-ins and ballots that arrive together share one
 * statement (api/db/batched-write.ts). Each member must still get their own answer — taken,
 * already there, or refused with their own reason — and the record must be exactly what
 * one-at-a-time writes would have left, including a member who taps twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { recordCheckIn } from '../../api/meetings/repository.ts';
import type { Member } from '../../api/members/repository.ts';
import type { App } from '../../api/server.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { buildTestApp, TestClock, testDeps } from '../support/app.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let t: TestDb;
let app: App;
const clock = new TestClock(new Date('2026-03-12T12:00:00Z'));
let sec: Awaited<ReturnType<typeof makeSecretary>>;
let cell: Awaited<ReturnType<typeof makeOrgTree>>['cellA'];
let outsider: Member;
let probationary: Member;
const members: Member[] = [];
let meetingId: number;
const tokens = new Map<number, string>();

const post = (url: string, m: Member | string, payload: object = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${typeof m === 'string' ? m : tokens.get(m.id)}` },
    payload,
  });
const count = async (text: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(text, params))[0].n;

async function withToken(m: Member) {
  tokens.set(m.id, await makeMemberToken(t.db, m));
  return m;
}

beforeAll(async () => {
  t = await createTestDb();
  app = await buildTestApp(testDeps(t.db, clock));
  const tree = await makeOrgTree(t.db);
  cell = tree.cellA;
  sec = await makeSecretary(t.db, cell);
  for (let i = 0; i < 24; i++) members.push(await withToken(await makeMember(t.db, tree.cellA)));
  probationary = await withToken(
    await makeMember(t.db, tree.cellA, { status: 'probationary', admittedOn: '2026-01-10' }),
  );
  outsider = await withToken(await makeMember(t.db, tree.cellB));
  const meeting = await post(`/orgs/${tree.cellA.id}/meetings`, sec.token, {
    kind: 'regular',
    startsAt: '2026-03-12T12:00:00Z',
    mode: 'hybrid',
  });
  meetingId = meeting.json().id;
  expect((await post(`/meetings/${meetingId}/open`, sec.token)).statusCode).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('a meeting evening’s rush', () => {
  it('check-ins sent together: each is answered for itself, a double tap keeps the first', async () => {
    const tap = (m: Member) => post(`/meetings/${meetingId}/check-in`, m);
    const [a, b] = members;
    const sent = [...members, a, b, outsider, probationary].map(tap);
    const answers = await Promise.all(sent);
    expect(answers.slice(0, members.length).map((r) => r.statusCode)).toEqual(members.map(() => 200));
    // The double taps: both answered 200, one of each pair says "already present".
    const pairs = [
      [answers[0], answers[members.length]],
      [answers[1], answers[members.length + 1]],
    ];
    for (const pair of pairs) expect(pair.map((r) => r.json().alreadyPresent).sort()).toEqual([false, true]);
    expect(answers[members.length + 2].statusCode).toBe(403); // another cell's member, refused alone
    expect(answers[members.length + 3].statusCode).toBe(200); // probationary members attend
    expect(await count(`select count(*)::int n from meeting_attendance where checked_in_at is not null`)).toBe(
      members.length + 1,
    );
    // One audit entry per check-in that took, none for the double taps.
    expect(await count(`select count(*)::int n from audit_log where action = 'meeting.check_in'`)).toBe(
      members.length + 1,
    );
  });

  it('ballots sent together on an open and a secret motion: exact tallies, refusals with their reasons', async () => {
    const open = (await post(`/meetings/${meetingId}/motions`, sec.token, { kind: 'resolution', title: 'Mở' })).json();
    const secret = (
      await post(`/meetings/${meetingId}/motions`, sec.token, { kind: 'question', title: 'Kín', ballot: 'secret' })
    ).json();
    const vote = (motionId: number, m: Member, choice: string) => post(`/motions/${motionId}/votes`, m, { choice });
    const choiceOf = (i: number) => (['for', 'for', 'against', 'abstain'] as const)[i % 4];
    const sent = [
      ...members.map((m, i) => vote(open.id, m, choiceOf(i))),
      ...members.map((m, i) => vote(secret.id, m, choiceOf(i + 1))),
      vote(secret.id, members[0], 'against'), // a second secret ballot from the same member
      vote(open.id, probationary, 'for'),
      vote(open.id, members[1], 'maybe'),
    ];
    const answers = await Promise.all(sent);
    const n = members.length;
    expect(answers.slice(0, 2 * n).filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(2 * n - 1);
    // members[0]'s two secret ballots: exactly one counted, the other refused as already cast.
    const twice = [answers[n], answers[2 * n]];
    expect(twice.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(twice.find((r) => r.statusCode === 409)!.json().message).toMatch(/đã bỏ phiếu kín/);
    expect(answers[2 * n + 1].json().message).toMatch(/dự bị.*không biểu quyết/);
    expect(answers[2 * n + 2].statusCode).toBe(400);

    const expected = (shift: number) => {
      const tally = { for: 0, against: 0, abstain: 0 };
      for (let i = 0; i < members.length; i++) tally[choiceOf(i + shift)]++;
      return tally;
    };
    const secretFirst = answers[n].statusCode === 200 ? 'first' : 'second';
    const secretTally = expected(1);
    if (secretFirst === 'second') {
      secretTally[choiceOf(1)]--;
      secretTally.against++;
    }
    expect(await count(`select count(*)::int n from ballot_box where motion_id = $1`, [secret.id])).toBe(n);
    expect(await count(`select count(*)::int n from ballot_participation where motion_id = $1`, [secret.id])).toBe(n);
    const closedOpen = (await post(`/motions/${open.id}/close?confirm=true`, sec.token)).json();
    const closedSecret = (await post(`/motions/${secret.id}/close?confirm=true`, sec.token)).json();
    expect(closedOpen).toMatchObject(expected(0));
    expect(closedSecret).toMatchObject(secretTally);
    expect(await count(`select count(*)::int n from audit_log where action = 'vote.cast'`)).toBe(n);
  });

  it('a write that fails in a shared statement fails alone; the others land', async () => {
    const late = await withToken(await makeMember(t.db, cell));
    const other = await withToken(await makeMember(t.db, cell));
    const write = (m: Member, principalId: number) =>
      recordCheckIn(t.db, { meetingId, memberId: m.id, method: 'chat', at: clock.now(), principalId });
    const principal = (await ensureMemberPrincipal(t.db, other.id)).id;
    // While one check-in is in flight, the next two queue and go as one statement. One names no
    // principal: its audit entry breaks the foreign key, and with it the statement.
    const [, bad, good] = await Promise.allSettled([
      write(members[2], principal),
      write(late, 2_000_000_000),
      write(other, principal),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status === 'fulfilled' && good.value?.took).toBe(true);
    const present = await t.db.query<{ memberId: number }>(
      `select member_id as "memberId" from meeting_attendance where meeting_id = $1 and member_id = any($2::int[])
          and checked_in_at is not null`,
      [meetingId, [late.id, other.id]],
    );
    expect(present.map((r) => r.memberId)).toEqual([other.id]);
  });
});
