import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { MIN_MINUTES } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { requireMeeting } from './require-meeting.ts';
import { meetingDate } from './meeting-date.ts';
import { getAttendanceView } from './get-attendance-view.ts';
import { headerNames } from './load-minutes.ts';
import type { Meeting } from './repository.ts';
import type { Sql } from '../db/connect.ts';

/**
 * Closes the meeting; open motions must be closed first. A meeting shorter than the rule's
 * minimum is not blocked (rule: warn, don't block) but closes only when the secretary
 * confirms, and the confirmation is recorded in the audit log.
 */
export async function closeMeeting(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
  options: { confirm?: boolean } = {},
): Promise<{ warnings: string[] }> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, meetingId, {
      role: CAN.runMeetings,
      status: ['in_progress'],
      statusMessage: 'Buổi họp không ở trạng thái đang diễn ra.',
      lock: true,
    });
    const open = await sql.query(`select 1 from motions where meeting_id = $1 and status = 'open'`, [meetingId]);
    if (open.length) throw new AppError('conflict', 'Còn nội dung biểu quyết chưa kết thúc.');
    const now = deps.clock.now();
    // rule: length — at least 90 minutes, 120 when combined (HD 42-HD/BTCTW 2025): warn, don't block
    const min = versionInForce(MIN_MINUTES, meetingDate(meeting.startsAt));
    const required = meeting.kind === 'combined' ? min.value.combined : min.value.regular;
    const minutes = Math.round((now.getTime() - (meeting.openedAt ?? meeting.startsAt).getTime()) / 60_000);
    const short = minutes < required;
    const warning = `Buổi sinh hoạt kéo dài ${minutes} phút, ít hơn mức tối thiểu ${required} phút (${min.source}).`;
    if (short && !options.confirm) {
      throw new AppError('conflict', `${warning} Nếu vẫn kết thúc buổi họp, hãy xác nhận.`, {
        data: { confirmationRequired: true, minutes, required },
      });
    }
    await markRunnersPresent(sql, meeting, actor);
    // The record: the roll, the vote base and the quorum as they stand at close (issue 24).
    const record = {
      attendance: await getAttendanceView(sql, meeting),
      header: await headerNames(sql, meeting.cellId),
    };
    await sql.query(`update meetings set status = 'closed', closed_at = $2, record = $3::jsonb where id = $1`, [
      meetingId,
      now,
      JSON.stringify(record),
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.closed',
      subjectType: 'meeting',
      subjectId: meetingId,
      details: { minutes, required, confirmedShort: short },
      at: now,
    });
    return { warnings: short ? [warning] : [] };
  });
}

/**
 * The secretary who opened the meeting, and whoever closes it, ran it: they were there from the
 * opening, whether or not they checked themselves in (in the room, as the secretary marks).
 */
async function markRunnersPresent(sql: Sql, meeting: Meeting, closer: Principal) {
  await sql.query(
    `insert into meeting_attendance (meeting_id, member_id, checked_in_at, check_in_method)
     select mt.id, p.member_id, mt.opened_at, 'secretary'
       from meetings mt join principals p on p.id in (mt.opened_by, $2)
       join members m on m.id = p.member_id and m.cell_id = mt.cell_id and m.active
      where mt.id = $1
     on conflict (meeting_id, member_id) do update set checked_in_at = excluded.checked_in_at,
       check_in_method = excluded.check_in_method, left_at = null
       where meeting_attendance.checked_in_at is null`,
    [meeting.id, closer.id],
  );
}
