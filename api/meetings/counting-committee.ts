import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { loadRoll } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { requireMeeting } from './require-meeting.ts';

export interface Counter {
  memberId: number;
  fullName: string;
}

/**
 * The secretary names the meeting's counting committee (ban kiểm phiếu): members of the roll
 * who may then enter the room's paper count of a secret ballot, in chat or in the console.
 * Naming again replaces the list; an empty list leaves the count to the secretary.
 */
export async function nameCountingCommittee(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; memberIds: number[] },
): Promise<Counter[]> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, {
      role: CAN.runMeetings,
      status: ['scheduled', 'in_progress'],
      lock: true,
    });
    const roll = await loadRoll(sql, meeting.id, meeting.cellId, meetingDate(meeting.startsAt));
    const ids = [...new Set(input.memberIds)];
    if (ids.some((id) => !roll.some((r) => r.memberId === id)))
      throw new AppError('validation', 'Ban kiểm phiếu gồm đảng viên dự họp của chi bộ.', { field: 'memberIds' });
    await sql.query(`delete from meeting_counters where meeting_id = $1`, [meeting.id]);
    await sql.query(
      `insert into meeting_counters (meeting_id, member_id) select $1, m from unnest($2::int[]) m order by m`,
      [meeting.id, ids],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.counting_committee',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { memberIds: ids },
      at: deps.clock.now(),
    });
    return listCounters(sql, meeting.id);
  });
}

export async function listCounters(sql: Sql, meetingId: number): Promise<Counter[]> {
  return sql.query<Counter>(
    `select c.member_id as "memberId", m.full_name as "fullName" from meeting_counters c
       join members m on m.id = c.member_id where c.meeting_id = $1 order by m.full_name, m.id`,
    [meetingId],
  );
}
