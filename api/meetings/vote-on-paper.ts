import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { attendsInRoom } from './entitlement.ts';
import { requireMeeting } from './require-meeting.ts';

/**
 * A member checked in online who is in the room goes to vote on paper there (issue 26): with
 * fewer than three voting online in a secret ballot, the paper count and the total would give
 * their choices away. From then on they vote in the room — no longer in chat — and the room's
 * count may include them. Refused once they have voted online on a motion still open, so that
 * nobody votes twice.
 */
export async function voteOnPaper(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
): Promise<{ alreadyInRoom: boolean }> {
  if (!actor.memberId) throw new AppError('forbidden', 'Chỉ đảng viên dự họp mới bỏ phiếu.');
  const memberId = actor.memberId;
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, meetingId, {
      status: ['in_progress'],
      member: memberId,
      lock: true,
    });
    const [entry] = await sql.query<{ present: boolean; checkInMethod: string | null }>(
      `select checked_in_at is not null and left_at is null as present, check_in_method as "checkInMethod"
         from meeting_attendance where meeting_id = $1 and member_id = $2 for update`,
      [meeting.id, memberId],
    );
    if (!entry?.present) throw new AppError('validation', 'Đồng chí cần điểm danh trước.');
    if (attendsInRoom(entry)) return { alreadyInRoom: true };
    const voted = await sql.query(
      `select 1 from motions mo where mo.meeting_id = $1 and mo.status = 'open' and (
         exists (select 1 from ballot_participation p where p.motion_id = mo.id and p.member_id = $2)
         or exists (select 1 from votes v where v.motion_id = mo.id and v.member_id = $2))`,
      [meeting.id, memberId],
    );
    if (voted.length)
      throw new AppError(
        'conflict',
        'Đồng chí đã bỏ phiếu trực tuyến cho nội dung đang biểu quyết: phiếu giấy sẽ là phiếu thứ hai.',
      );
    await sql.query(`update meeting_attendance set check_in_method = 'room' where meeting_id = $1 and member_id = $2`, [
      meeting.id,
      memberId,
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.moved_to_room',
      subjectType: 'meeting',
      subjectId: meeting.id,
      details: { memberId },
      at: deps.clock.now(),
    });
    return { alreadyInRoom: false };
  });
}
