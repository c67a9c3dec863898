/**
 * The console's roll saved in one form (issue 24): many marked at once, the secretary herself
 * too, reasons for those away; the same form twice counts nobody twice; a form naming someone
 * off the roll, or a reason that is not offered, is refused whole and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeMember, makeOrg, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { recordRoll } from '../../api/meetings/record-roll.ts';
import { loadRoll } from '../../api/meetings/repository.ts';
import type { Deps } from '../../api/context.ts';
import type { Member } from '../../api/members/repository.ts';

let t: TestDb;
let deps: Deps;
let sec: Awaited<ReturnType<typeof makeSecretary>>;
let members: Member[];
let outsider: Member;
let meetingId: number;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

const attendance = () =>
  t.db.query<{ memberId: number; present: boolean; reason: string | null; accepted: boolean | null }>(
    `select member_id as "memberId", checked_in_at is not null as present, absence_reason as reason,
            reason_accepted as accepted
       from meeting_attendance where meeting_id = $1 order by member_id`,
    [meetingId],
  );

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db);
  tree = await makeOrgTree(t.db);
  sec = await makeSecretary(t.db, tree.cellA);
  members = [];
  for (let i = 0; i < 4; i++) members.push(await makeMember(t.db, tree.cellA));
  outsider = await makeMember(t.db, tree.cellB);
  const meeting = await scheduleMeeting(deps, sec.principal, {
    cellId: tree.cellA.id,
    kind: 'regular',
    startsAt: new Date(Date.now() + 60_000),
    mode: 'in_person',
  });
  meetingId = (await openMeeting(deps, sec.principal, meeting.id)).id;
});
afterAll(async () => {
  await t?.close();
});

describe('the roll in one form', () => {
  it('refuses a form naming someone off the roll, or an unknown reason, and writes nothing', async () => {
    await expect(
      recordRoll(deps, sec.principal, { meetingId, present: [members[0].id, outsider.id], absences: [] }),
    ).rejects.toMatchObject({ code: 'validation', message: expect.stringContaining('không thuộc danh sách') });
    await expect(
      recordRoll(deps, sec.principal, {
        meetingId,
        present: [members[0].id],
        absences: [{ memberId: members[3].id, reason: 'holiday' }],
      }),
    ).rejects.toMatchObject({ code: 'validation' });
    expect(await attendance()).toEqual([]);
  });

  it('marks many and the secretary herself at once, with reasons; posted twice, counts each once', async () => {
    const form = {
      meetingId,
      present: [sec.member.id, members[0].id, members[1].id],
      absences: [
        { memberId: members[2].id, reason: 'ill' },
        { memberId: members[3].id, reason: 'none' },
        // Ticked present and given a reason by mistake: present wins.
        { memberId: members[1].id, reason: 'trip' },
      ],
    };
    expect(await recordRoll(deps, sec.principal, form)).toEqual({ checkedIn: 3, absences: 1 });
    const first = await attendance();
    expect(await recordRoll(deps, sec.principal, form)).toEqual({ checkedIn: 0, absences: 1 });
    expect(await attendance()).toEqual(first);
    const byId = new Map(first.map((r) => [r.memberId, r]));
    expect([sec.member, members[0], members[1]].every((m) => byId.get(m.id)?.present)).toBe(true);
    expect(byId.get(members[2].id)).toMatchObject({ present: false, reason: 'Ốm, đau', accepted: true });
    // "Vắng không lý do" records nothing: the minutes list the member as absent without a reason.
    expect(byId.get(members[3].id)).toBeUndefined();
  });
});

describe('the roll as the cell lists its members', () => {
  it('reads by given name the Vietnamese way (Đ after D), not by the family name', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee, 'Chi bộ Thứ tự họp');
    const secretary = await makeSecretary(t.db, cell, { fullName: 'Võ Thị Yến' });
    for (const fullName of ['Nguyễn Văn Đức', 'Trần Thị Dũng', 'Đặng An', 'Bùi Văn Ánh'])
      await makeMember(t.db, cell, { fullName });
    const meeting = await scheduleMeeting(deps, secretary.principal, {
      cellId: cell.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'in_person',
    });
    const roll = await loadRoll(t.db, meeting.id, cell.id, new Date().toISOString().slice(0, 10));
    expect(roll.map((r) => r.fullName)).toEqual([
      'Đặng An',
      'Bùi Văn Ánh',
      'Trần Thị Dũng',
      'Nguyễn Văn Đức',
      'Võ Thị Yến',
    ]);
  });
});
