import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findNotice } from './notice.ts';
import { findLastReminder } from './remind-notice.ts';

/**
 * Per item and per unit: recipients, queued / sent / failed (with reasons) and read counts, and
 * the last reminder sent by hand.
 */
export async function getNoticeStats(deps: Pick<Deps, 'db'>, actor: Principal, noticeId: number) {
  const notice = await findNotice(deps.db, noticeId);
  if (!notice) throw notFound('thông báo');
  await requireRole(deps.db, actor, notice.orgId, CAN.readOrg);
  const units = await deps.db.query<{
    cellId: number;
    cellName: string;
    recipients: number;
    read: number;
    queued: number;
    sent: number;
    failed: number;
  }>(
    `select r.cell_id as "cellId", o.name as "cellName", count(*)::int as recipients, count(r.read_at)::int as read,
            coalesce(sum(d.queued), 0)::int as queued, coalesce(sum(d.sent), 0)::int as sent,
            coalesce(sum(d.failed), 0)::int as failed
       from notice_recipients r join orgs o on o.id = r.cell_id
       left join (
         select member_id, count(*) filter (where status in ('queued', 'sending')) as queued,
           count(*) filter (where status = 'sent') as sent,
                count(*) filter (where status = 'failed') as failed
           from outbox_messages where ref_type = 'notice' and ref_id = $2 and kind = 'notice' group by member_id
       ) d on d.member_id = r.member_id
      where r.notice_id = $1 group by r.cell_id, o.name order by o.name`,
    [noticeId, String(noticeId)],
  );
  const failures = await deps.db.query<{ reason: string; n: number }>(
    `select coalesce(last_error, 'unknown') as reason, count(*)::int as n from outbox_messages
      where ref_type = 'notice' and ref_id = $1 and kind = 'notice' and status = 'failed' group by 1 order by 2 desc`,
    [String(noticeId)],
  );
  const total = (k: 'recipients' | 'read' | 'queued' | 'sent' | 'failed') => units.reduce((n, u) => n + u[k], 0);
  return {
    noticeId,
    title: notice.title,
    version: notice.version,
    publishedAt: notice.publishedAt,
    totals: {
      recipients: total('recipients'),
      queued: total('queued'),
      sent: total('sent'),
      failed: total('failed'),
      read: total('read'),
    },
    failures,
    units,
    lastReminder: (await findLastReminder(deps.db, noticeId)) ?? null,
  };
}
