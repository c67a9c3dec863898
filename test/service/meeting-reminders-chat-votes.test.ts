/**
 * Reminders (idempotent across runs) and many members voting at the same instant through
 * the chat path (the conversation core), with an exact tally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { checkIn } from '../../api/meetings/check-in.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import { runDueReminders } from '../../api/meetings/run-due-reminders.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { handleUpdate } from '../../bot/core/conversation.ts';
import type { Deps } from '../../api/context.ts';

let t: TestDb;
let deps: Deps;
const clock = new TestClock(new Date('2026-05-01T01:00:00Z'));

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db, clock);
});
afterAll(() => t?.close());

const reminders = async (kind: string) =>
  (await t.db.query<{ n: number }>(`select count(*)::int n from outbox_messages where kind = $1`, [kind]))[0].n;

describe('reminders', () => {
  it('go out the day before and one hour before, once each, and before task deadlines', async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA);
    const members = [sec.member, await makeMember(t.db, tree.cellA), await makeMember(t.db, tree.cellA)];
    for (const [i, m] of members.entries()) await linkChat(t.db, m, 'telegram', `r${i}`, 'telegram');
    await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date('2026-05-03T12:00:00Z'),
      mode: 'in_person',
    });
    await runDueReminders(deps);
    expect(await reminders('meeting.reminder')).toBe(0); // two days ahead: nothing yet
    clock.set('2026-05-02T13:00:00Z');
    await runDueReminders(deps);
    await runDueReminders(deps);
    expect(await reminders('meeting.reminder')).toBe(3); // the day before, once per member
    clock.set('2026-05-03T11:30:00Z');
    await runDueReminders(deps);
    expect(await reminders('meeting.reminder')).toBe(6); // and one hour before
    await t.db.query(
      `insert into tasks (meeting_id, cell_id, assignee_member_id, title, due_on)
       select id, cell_id, $1, 'Nộp báo cáo', '2026-05-04' from meetings limit 1`,
      [members[1].id],
    );
    await runDueReminders(deps);
    await runDueReminders(deps);
    expect(await reminders('task.reminder')).toBe(1);
  });
});

describe('votes through the chat path', () => {
  it('30 members pressing the button at the same instant give an exact tally', async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellB);
    clock.set('2026-06-01T01:00:00Z');
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellB.id,
      kind: 'regular',
      startsAt: new Date('2026-06-01T01:30:00Z'),
      mode: 'hybrid',
    });
    await openMeeting(deps, sec.principal, meeting.id);
    const voters = [];
    for (let i = 0; i < 30; i++) {
      const m = await makeMember(t.db, tree.cellB);
      await linkChat(t.db, m, 'web', `v${i}`, 'web');
      await checkIn(deps, await ensureMemberPrincipal(t.db, m.id), {
        meetingId: meeting.id,
        memberId: m.id,
        method: 'chat',
      });
      voters.push(m);
    }
    const motion = await openMotion(deps, sec.principal, {
      meetingId: meeting.id,
      kind: 'resolution',
      title: 'Thông qua nghị quyết',
    });
    const press = (i: number, choice: string, n = 1) =>
      handleUpdate(deps, {
        channel: 'web',
        botKey: 'web',
        updateId: `p${i}-${n}`,
        from: { id: `v${i}` },
        chat: { id: `v${i}`, kind: 'private' },
        choice: `bieuquyet:${motion.id}:${choice}`,
        receivedAt: new Date(),
      });
    const replies = await Promise.all(voters.map((_, i) => press(i, i % 3 === 0 ? 'against' : 'for')));
    expect(replies.every(([r]) => r.text.startsWith('Đã ghi nhận phiếu'))).toBe(true);
    // Pressing again (a double tap) never counts twice.
    const again = await Promise.all(voters.slice(0, 10).map((_, i) => press(i, 'for', 2)));
    expect(again.every(([r]) => /đã biểu quyết/.test(r.text))).toBe(true);
    const tally = await t.db.query(
      `select choice, count(*)::int n from votes where motion_id = $1 group by choice order by choice`,
      [motion.id],
    );
    expect(tally).toEqual([
      { choice: 'against', n: 10 },
      { choice: 'for', n: 20 },
    ]);
  });
});
