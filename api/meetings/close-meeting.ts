import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { MIN_MINUTES } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { findMeeting } from './repository.ts';
import { meetingDate } from './meeting-date.ts';

/** Closes the meeting; open motions must be closed first. A short meeting is warned about, not blocked. */
export async function closeMeeting(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
): Promise<{ warnings: string[] }> {
  return deps.db.tx(async (sql) => {
    const meeting = await findMeeting(sql, meetingId, true);
    if (!meeting) throw notFound('buổi họp');
    await requireRole(sql, actor, meeting.cellId, CAN.runMeetings);
    if (meeting.status !== 'in_progress') throw new AppError('conflict', 'Buổi họp không ở trạng thái đang diễn ra.');
    const open = await sql.query(`select 1 from motions where meeting_id = $1 and status = 'open'`, [meetingId]);
    if (open.length) throw new AppError('conflict', 'Còn nội dung biểu quyết chưa kết thúc.');
    const now = deps.clock.now();
    await sql.query(`update meetings set status = 'closed', closed_at = $2 where id = $1`, [meetingId, now]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.closed',
      subjectType: 'meeting',
      subjectId: meetingId,
      at: now,
    });
    // rule: length — at least 90 minutes, 120 when combined (HD 42-HD/BTCTW 2025): warn, don't block
    const min = versionInForce(MIN_MINUTES, meetingDate(meeting.startsAt)).value;
    const required = meeting.kind === 'combined' ? min.combined : min.regular;
    const minutes = Math.round((now.getTime() - (meeting.openedAt ?? meeting.startsAt).getTime()) / 60_000);
    return {
      warnings:
        minutes < required
          ? [`Buổi sinh hoạt kéo dài ${minutes} phút, ít hơn mức tối thiểu ${required} phút (HD 42-HD/BTCTW).`]
          : [],
    };
  });
}
