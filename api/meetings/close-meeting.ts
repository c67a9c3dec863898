import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { MIN_MINUTES } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';
import { requireMeeting } from './require-meeting.ts';
import { meetingDate } from './meeting-date.ts';

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
    await sql.query(`update meetings set status = 'closed', closed_at = $2 where id = $1`, [meetingId, now]);
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
