import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { maybeOne, type Sql } from '../db/connect.ts';
import { AppError, notFound } from '../errors.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';
import { formatVietnamDateTime } from '../text/vietnam-time.ts';
import { findNotice, reminderMessage } from './notice.ts';

/**
 * Hours between two reminders sent by hand for one notice. A service choice, not a party rule:
 * every round reaches each unread member's phone, and a second nudge within hours reads as
 * spam — members mute the bot, and then miss the next notice. Six hours lets a secretary remind
 * in the morning and again in the evening; it also turns a double click, or two officers of
 * the unit pressing at the same time, into one reminder.
 */
export const MANUAL_REMINDER_GAP_HOURS = 6;

export interface NoticeReminder {
  noticeId: number;
  round: number;
  sentAt: Date;
  /** Recipients who had not confirmed reading. */
  members: number;
  /** Messages queued to their linked chats (members without a linked chat get none). */
  messages: number;
}

export async function findLastReminder(sql: Sql, noticeId: number): Promise<NoticeReminder | undefined> {
  return maybeOne<NoticeReminder>(
    sql,
    `select notice_id as "noticeId", round, sent_at as "sentAt", members, messages
       from notice_reminders where notice_id = $1 order by round desc limit 1`,
    [noticeId],
  );
}

/**
 * "Nhắc lại những đồng chí chưa đọc": one reminder, through the outbox, to each recipient who
 * has not confirmed reading — for whoever may publish on the notice's unit. The notice row is
 * locked first, so two presses are serialised: the second sees the first round and is refused.
 * Each message's dedupe key names the round, so even a repeat of the same round queues nothing.
 */
export async function remindNotice(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  noticeId: number,
): Promise<NoticeReminder> {
  const now = deps.clock.now();
  return deps.db.tx(async (sql) => {
    const notice = await findNotice(sql, noticeId);
    if (!notice) throw notFound('thông báo');
    await requireRole(sql, actor, notice.orgId, CAN.publish);
    await sql.query(`select 1 from notices where id = $1 for update`, [notice.id]);
    if (!notice.publishedAt) {
      throw new AppError('conflict', 'Thông báo chưa được đăng nên chưa thể nhắc đọc.', {
        detail: `notice ${noticeId}`,
      });
    }
    const last = await findLastReminder(sql, notice.id);
    const next = last ? new Date(last.sentAt.getTime() + MANUAL_REMINDER_GAP_HOURS * 3600_000) : null;
    if (next && next > now) {
      throw new AppError(
        'too_many_requests',
        `Đã nhắc lại lúc ${formatVietnamDateTime(last!.sentAt)} (${last!.members} đồng chí chưa đọc). ` +
          'Để đảng viên không bị làm phiền, mỗi thông báo chỉ nhắc lại cách nhau ít nhất ' +
          `${MANUAL_REMINDER_GAP_HOURS} giờ; ` +
          `có thể nhắc tiếp từ ${formatVietnamDateTime(next)}.`,
        { detail: `notice ${noticeId} reminded in round ${last!.round}` },
      );
    }
    const unread = await sql.query<{ memberId: number }>(
      `select member_id as "memberId" from notice_recipients
        where notice_id = $1 and read_at is null order by member_id`,
      [notice.id],
    );
    if (!unread.length) {
      throw new AppError('conflict', 'Mọi đồng chí nhận thông báo đã xác nhận đã đọc; không cần nhắc lại.', {
        detail: `notice ${noticeId} read by all`,
      });
    }
    const round = (last?.round ?? 0) + 1;
    const messages = await enqueueForMembers(
      sql,
      unread.map((u) => u.memberId),
      reminderMessage(notice.id, notice.title),
      {
        kind: 'notice.reminder',
        refType: 'notice',
        refId: notice.id,
        dedupePrefix: `notice:${notice.id}:remind-round:${round}`,
      },
    );
    await sql.query(
      `insert into notice_reminders (notice_id, round, sent_by, sent_at, members, messages)
       values ($1, $2, $3, $4, $5, $6)`,
      [notice.id, round, actor.id, now, unread.length, messages],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'notice.reminded',
      subjectType: 'notice',
      subjectId: notice.id,
      details: { round, members: unread.length, messages },
      at: now,
    });
    return { noticeId: notice.id, round, sentAt: now, members: unread.length, messages };
  });
}
