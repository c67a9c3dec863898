import crypto from 'node:crypto';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { enqueueForOrgGroups } from '../outbox/enqueue.ts';
import { findMeeting, type Meeting } from './repository.ts';
import { requireMeeting } from './require-meeting.ts';
import { AppError } from '../errors.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';

/**
 * Opening more than this long before the scheduled time asks the secretary to confirm: a meeting
 * opened by mistake hours early starts its roll and its clock (a product setting, not a party rule).
 */
export const EARLY_OPEN_CONFIRM_MINUTES = 60;

/**
 * Opens the meeting: check-in starts, and a six-digit room code is shown on the
 * secretary's screen (also as a QR code) for members in the room.
 */
export async function openMeeting(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  meetingId: number,
  options: { confirmEarly?: boolean } = {},
): Promise<Meeting> {
  return deps.db.tx(async (sql) => {
    const meeting = await requireMeeting(sql, actor, meetingId, {
      role: CAN.runMeetings,
      status: ['scheduled'],
      lock: true,
    });
    const now = deps.clock.now();
    const early = Math.round((meeting.startsAt.getTime() - now.getTime()) / 60_000);
    if (early > EARLY_OPEN_CONFIRM_MINUTES && !options.confirmEarly) {
      const wait = early >= 60 ? `${Math.floor(early / 60)} giờ ${early % 60} phút` : `${early} phút`;
      throw new AppError(
        'conflict',
        `Buổi họp được lên lịch lúc ${formatVietnamDateTime(meeting.startsAt)} (giờ Việt Nam), còn ${wait} nữa. ` +
          'Nếu vẫn bắt đầu họp ngay bây giờ, hãy xác nhận.',
        { data: { confirmationRequired: true, minutesEarly: early } },
      );
    }
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    await sql.query(
      `update meetings set status = 'in_progress', opened_at = $2, checkin_code = $3, opened_by = $4 where id = $1`,
      [meetingId, now, code, actor.id],
    );
    await enqueueForOrgGroups(
      sql,
      meeting.cellId,
      { text: 'Buổi sinh hoạt chi bộ đã bắt đầu. Đồng chí tham dự trực tuyến gõ "diemdanh" để điểm danh.' },
      {
        kind: 'meeting.opened',
        refType: 'meeting',
        refId: meetingId,
        dedupePrefix: `meeting:${meetingId}:opened`,
      },
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'meeting.opened',
      subjectType: 'meeting',
      subjectId: meetingId,
      details: early > EARLY_OPEN_CONFIRM_MINUTES ? { openedMinutesEarly: early } : undefined,
      at: now,
    });
    return (await findMeeting(sql, meetingId))!;
  });
}
