import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError, notFound } from '../errors.ts';
import { inQuietHours } from '../text/vietnam-time.ts';
import { findNotice, type Notice, reminderMessage } from './notice.ts';
import { deliverNotice } from './deliver-notice.ts';
import { enqueueForMembers } from '../outbox/enqueue.ts';

/** Edits a notice; the previous text is kept as a version. */
export async function editNotice(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  noticeId: number,
  patch: { title?: string; body?: string },
): Promise<Notice> {
  return deps.db.tx(async (sql) => {
    const notice = await findNotice(sql, noticeId);
    if (!notice) throw notFound('thông báo');
    await requireRole(sql, actor, notice.orgId, CAN.publish);
    if (patch.body !== undefined && !patch.body.trim())
      throw new AppError('validation', 'Nội dung không được để trống.', { field: 'body' });
    await sql.query(
      `insert into notice_versions (notice_id, version, title, body, replaced_by, replaced_at)
        values ($1, $2, $3, $4, $5, $6)`,
      [notice.id, notice.version, notice.title, notice.body, actor.id, deps.clock.now()],
    );
    await sql.query(`update notices set title = $2, body = $3, version = version + 1 where id = $1`, [
      notice.id,
      patch.title?.trim() || notice.title,
      patch.body?.replace(/\r\n?/g, '\n') ?? notice.body,
    ]);
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'notice.edited',
      subjectType: 'notice',
      subjectId: notice.id,
      details: { previousVersion: notice.version },
    });
    return (await findNotice(sql, notice.id))!;
  });
}

/** "Đã đọc": the member confirms reading (once; later confirmations change nothing). */
export async function acknowledgeNotice(
  deps: Pick<Deps, 'db' | 'clock'>,
  memberId: number,
  noticeId: number,
): Promise<{ title: string; first: boolean }> {
  const [n] = await deps.db.query<{ title: string }>(
    `select n.title from notices n join notice_recipients r on r.notice_id = n.id where n.id = $1 and r.member_id = $2`,
    [noticeId, memberId],
  );
  if (!n) throw notFound('thông báo gửi cho đồng chí');
  const rows = await deps.db.query(
    `update notice_recipients set read_at = $3 where notice_id = $1 and member_id = $2 and read_at is null returning 1`,
    [noticeId, memberId, deps.clock.now()],
  );
  return { title: n.title, first: rows.length > 0 };
}

/**
 * Clock-driven: publishes scheduled notices that are due, and sends one reminder to
 * recipients who have not acknowledged by the due date.
 */
export async function runDueNoticeJobs(deps: Pick<Deps, 'db' | 'clock' | 'config' | 'linkSecret'>): Promise<number> {
  const now = deps.clock.now();
  // In the quiet hours only urgent notices (paid broadcast) go out; the rest, and the reminders, wait.
  const quiet = inQuietHours(now, deps.config.quietHours);
  const due = await deps.db.query<{ id: number }>(
    `select id from notices where published_at is null and publish_at <= $1 and (paid_broadcast or not $2)
      order by id`,
    [now, quiet],
  );
  let n = 0;
  for (const { id } of due) {
    n += await deps.db.tx(async (sql) => {
      const locked = await sql.query(
        `select 1 from notices where id = $1 and published_at is null for update skip locked`,
        [id],
      );
      return locked.length ? deliverNotice(sql, deps, (await findNotice(sql, id))!) : 0;
    });
  }
  if (quiet) return n;
  const late = await deps.db.query<{ noticeId: number; memberId: number; title: string }>(
    `update notice_recipients r set reminded_at = $1 from notices n
      where n.id = r.notice_id and n.ack_due_on < ($1::timestamptz at time zone 'UTC' + interval '7 hours')::date
        and r.read_at is null and r.reminded_at is null
     returning r.notice_id as "noticeId", r.member_id as "memberId", n.title`,
    [now],
  );
  for (const l of late) {
    n += await enqueueForMembers(deps.db, [l.memberId], reminderMessage(l.noticeId, l.title), {
      kind: 'notice.reminder',
      refType: 'notice',
      refId: l.noticeId,
      dedupePrefix: `notice:${l.noticeId}:remind:${l.memberId}`,
    });
  }
  return n;
}
