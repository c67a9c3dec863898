import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { requireMeeting } from './require-meeting.ts';

/**
 * The last step of the meeting (rules.md §5, item 9): the minutes were read back and approved.
 * Only then do they say "biên bản đã được đọc lại và thông qua", with the time. Recorded once;
 * corrections afterwards are amendments.
 */
export async function approveMinutes(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
): Promise<{ approvedAt: Date }> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, meetingId, {
      role: CAN.runMeetings,
      status: ['in_progress', 'closed'],
      statusMessage: 'Buổi họp chưa bắt đầu: chưa có biên bản để thông qua.',
      lock: true,
    });
    const [row] = await sql.query<{ approvedAt: Date; fresh: boolean }>(
      `update meetings set minutes_approved_at = coalesce(minutes_approved_at, $2) where id = $1
       returning minutes_approved_at as "approvedAt", minutes_approved_at = $2 as fresh`,
      [meeting.id, deps.clock.now()],
    );
    if (row.fresh)
      await recordAudit(sql, {
        actorPrincipalId: actor.id,
        action: 'minutes.approved',
        subjectType: 'meeting',
        subjectId: meeting.id,
        at: deps.clock.now(),
      });
    return { approvedAt: row.approvedAt };
  });
}
