/**
 * The reads every chat update starts with, shared across updates (issue 31, point 3): one
 * statement for the session, account, member, principal and role, one for the cell's meeting
 * state, one for the session writes of the updates in flight. Each caller must get exactly what
 * the one-at-a-time reads it replaced return, and many callers together must share statements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { CAN, grantRole, hasRole } from '../../api/auth/roles.ts';
import { loadChatTurn } from '../../api/chat-accounts/chat-turn.ts';
import { findActiveAccount } from '../../api/chat-accounts/repository.ts';
import { getChatSessionValue, setChatSessionValue } from '../../api/chat-sessions/repository.ts';
import type { Db } from '../../api/db/connect.ts';
import { findCellMeetingState } from '../../api/meetings/cell-meeting-state.ts';
import { findOpenMotionId } from '../../api/meetings/find-open-motion.ts';
import { findMotion } from '../../api/meetings/motions.ts';
import { findCurrentMeeting } from '../../api/meetings/repository.ts';
import { findMember } from '../../api/members/repository.ts';
import { linkChat, makeMember, makeOrg, makeOrgTree } from '../factories/index.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

let t: TestDb;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

beforeAll(async () => {
  t = await createTestDb();
  tree = await makeOrgTree(t.db);
});
afterAll(() => t.close());

/** The database with a count of the statements sent through it (batching needs the `tx` it keeps). */
function counted(db: Db) {
  const seen = { statements: 0 };
  const query: Db['query'] = (text, params) => {
    seen.statements++;
    return db.query(text, params);
  };
  const wrapped: Db = { ...db, query, tx: db.tx };
  return { db: wrapped, seen };
}

/** What conversation.ts read one statement at a time before. */
async function oneAtATime(channel: string, botKey: string, userId: string) {
  const account = await findActiveAccount(t.db, channel, botKey, userId);
  const member = account && (await findMember(t.db, account.memberId));
  const principal = member
    ? (await t.db.query(`select 1 from principals where member_id = $1`, [member.id])).length
      ? await ensureMemberPrincipal(t.db, member.id)
      : undefined
    : undefined;
  const isSecretary = principal && member ? await hasRole(t.db, principal.id, member.cellId, CAN.runMeetings) : false;
  return { account, member, principal, isSecretary };
}

describe('the chat turn', () => {
  it('reads what the separate reads read, for strangers, members, secretaries and ancestors’ grants', async () => {
    const plain = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, plain, 'telegram', '7001', 'tg');
    const noPrincipalYet = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, noPrincipalYet, 'telegram', '7002', 'tg');
    const secretary = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, secretary, 'telegram', '7003', 'tg');
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, secretary.id)).id, tree.cellA.id, 'secretary');
    const fromAbove = await makeMember(t.db, tree.cellB);
    await linkChat(t.db, fromAbove, 'telegram', '7004', 'tg');
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, fromAbove.id)).id, tree.committee.id, 'secretary');
    const elsewhere = await makeMember(t.db, tree.cellB);
    await linkChat(t.db, elsewhere, 'telegram', '7005', 'tg');
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, elsewhere.id)).id, tree.cellA.id, 'secretary');
    await ensureMemberPrincipal(t.db, plain.id);

    const users = ['7001', '7002', '7003', '7004', '7005', '9999'];
    const { db, seen } = counted(t.db);
    const turns = await Promise.all(
      users.map((userId) => loadChatTurn(db, { channel: 'telegram', botKey: 'tg', userId })),
    );
    expect(seen.statements).toBeLessThan(users.length);
    for (const [i, userId] of users.entries()) {
      const want = await oneAtATime('telegram', 'tg', userId);
      expect(turns[i].account).toEqual(want.account);
      expect(turns[i].member).toEqual(want.member);
      expect(turns[i].principal).toEqual(want.principal);
      expect(turns[i].isSecretary).toBe(want.isSecretary);
    }
    expect(turns.map((x) => x.isSecretary)).toEqual([false, false, true, true, false, false]);
    expect(turns[1].principal).toBeUndefined();
    expect(turns[5].account).toBeUndefined();
    // Another bot's account of the same user is not this bot's.
    expect(
      (await loadChatTurn(t.db, { channel: 'telegram', botKey: 'other', userId: '7001' })).account,
    ).toBeUndefined();
  });

  it('keeps each chat’s session writes in order, however many share a statement', async () => {
    const chat = (id: string) => ({ channel: 'telegram', botKey: 'tg', chatId: id });
    const { db, seen } = counted(t.db);
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => setChatSessionValue(db, chat(`s${i}`), 'choices', [i])),
      setChatSessionValue(db, chat('s0'), 'choices', ['later']),
    ]);
    expect(seen.statements).toBeLessThan(30);
    expect(await getChatSessionValue(t.db, chat('s0'), 'choices')).toEqual(['later']);
    expect(await getChatSessionValue(t.db, chat('s29'), 'choices')).toEqual([29]);
    // Reads share statements too, and each sees what was written before it was asked.
    seen.statements = 0;
    const read = await Promise.all(
      Array.from({ length: 30 }, (_, i) => getChatSessionValue(db, chat(`s${i}`), 'choices')),
    );
    expect(seen.statements).toBeLessThan(30);
    expect(read.slice(1)).toEqual(Array.from({ length: 29 }, (_, i) => [i + 1]));
    await setChatSessionValue(db, chat('s1'), 'choices', null);
    expect(await getChatSessionValue(db, chat('s1'), 'choices')).toBeUndefined();
    expect(await getChatSessionValue(db, chat('s0'), 'other key')).toBeUndefined();
  });
});

describe("the cell's meeting state", () => {
  /** What menu.ts read with three statements before. */
  async function threeReads(cellId: number) {
    const meeting = await findCurrentMeeting(t.db, cellId);
    if (!meeting) return {};
    const openMotionId = meeting.status === 'in_progress' ? await findOpenMotionId(t.db, meeting.id) : undefined;
    const ballot = openMotionId ? (await findMotion(t.db, openMotionId))?.ballot : undefined;
    return {
      meeting: { id: meeting.id, status: meeting.status },
      ...(openMotionId ? { openMotionId, openMotionBallot: ballot } : {}),
    };
  }

  const meeting = async (cellId: number, status: string, startsAt: string) =>
    (
      await t.db.query<{ id: number }>(
        `insert into meetings (cell_id, kind, starts_at, mode, status, opened_at)
         values ($1, 'regular', $2, 'hybrid', $3, case when $3 = 'scheduled' then null else $2::timestamptz end)
         returning id`,
        [cellId, startsAt, status],
      )
    )[0].id;
  const motion = async (meetingId: number, ballot: string, status = 'open') =>
    t.db.query(`insert into motions (meeting_id, kind, title, ballot, status) values ($1, 'question', 'Q', $2, $3)`, [
      meetingId,
      ballot,
      status,
    ]);

  it('is what the three reads gave, for every state a cell can be in, read together', async () => {
    const cells = [];
    for (let i = 0; i < 6; i++) cells.push((await makeOrg(t.db, 'cell', tree.committee, `Chi bộ trạng thái ${i}`)).id);
    // 0: no meeting. 1: only a closed one. 2: scheduled twice (the earlier counts).
    await meeting(cells[1], 'closed', '2026-03-01T12:00:00Z');
    await meeting(cells[2], 'scheduled', '2026-04-02T12:00:00Z');
    await meeting(cells[2], 'scheduled', '2026-04-01T12:00:00Z');
    // 3: in progress, nothing open (a motion closed). 4: in progress with a secret motion open, and a
    // scheduled meeting that starts earlier (the one in progress counts). 5: two open motions (the later).
    await motion(await meeting(cells[3], 'in_progress', '2026-03-12T12:00:00Z'), 'open', 'closed');
    await meeting(cells[4], 'scheduled', '2026-03-01T12:00:00Z');
    await motion(await meeting(cells[4], 'in_progress', '2026-03-12T12:00:00Z'), 'secret');
    const m5 = await meeting(cells[5], 'in_progress', '2026-03-12T12:00:00Z');
    await motion(m5, 'secret');
    await motion(m5, 'open');

    const asked = [...cells, ...cells, ...cells];
    const { db, seen } = counted(t.db);
    const states = await Promise.all(asked.map((c) => findCellMeetingState(db, c)));
    // Eighteen reads, most of them of the same six cells: a statement or two, not eighteen.
    expect(seen.statements).toBeLessThanOrEqual(3);
    for (const [i, cellId] of asked.entries()) expect(states[i]).toEqual(await threeReads(cellId));
    expect(states[0]).toEqual({});
    expect(states[4].openMotionBallot).toBe('secret');
    expect(states[5].openMotionBallot).toBe('open');
  });
});
