import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { loadRollEntry } from './repository.ts';
import { meetingDate } from './meeting-date.ts';
import { requireMeeting } from './require-meeting.ts';

/** The chair and the minute-taker (thư ký) of a meeting, named in the minutes and signing them (rules.md §5). */
export async function setMeetingOfficers(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { meetingId: number; chairMemberId: number; minuteTakerMemberId: number },
): Promise<void> {
  await deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, input.meetingId, { role: CAN.runMeetings, lock: true });
    for (const [field, id] of [
      ['chairMemberId', input.chairMemberId],
      ['minuteTakerMemberId', input.minuteTakerMemberId],
    ] as const) {
      if (!(await loadRollEntry(sql, meeting, meetingDate(meeting.startsAt), id)))
        throw new AppError('validation', 'Chủ trì và thư ký phải là đảng viên dự họp của chi bộ.', { field });
    }
    await sql.query(`update meetings set chair_member_id = $2, minute_taker_member_id = $3 where id = $1`, [
      meeting.id,
      input.chairMemberId,
      input.minuteTakerMemberId,
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.officers',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { chairMemberId: input.chairMemberId, minuteTakerMemberId: input.minuteTakerMemberId },
      at: deps.clock.now(),
    });
  });
}
