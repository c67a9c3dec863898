import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findNotice } from '../notices/notice.ts';
import { compareVietnameseNames } from '../text/vietnamese-names.ts';

export interface UnreadRecipient {
  fullName: string;
  cellName: string;
  /** Has a linked chat account: a reminder reaches her; without one, someone must tell her. */
  reachable: boolean;
}

/**
 * Who has not confirmed reading a notice, in the order a member list is kept, and whether a
 * reminder can reach each of them — for whoever may read the notice's unit.
 */
export async function listNoticeUnread(deps: Pick<Deps, 'db'>, actor: Principal, noticeId: number) {
  const notice = await findNotice(deps.db, noticeId);
  if (!notice) throw notFound('thông báo');
  await requireRole(deps.db, actor, notice.orgId, CAN.readOrg);
  const rows = await deps.db.query<UnreadRecipient>(
    `select m.full_name as "fullName", o.name as "cellName",
            exists (select 1 from chat_accounts a where a.member_id = m.id and a.unlinked_at is null) as reachable
       from notice_recipients r join members m on m.id = r.member_id join orgs o on o.id = r.cell_id
      where r.notice_id = $1 and r.read_at is null`,
    [noticeId],
  );
  const [{ withoutChat }] = await deps.db.query<{ withoutChat: number }>(
    `select count(*)::int as "withoutChat" from notice_recipients r
      where r.notice_id = $1
        and not exists (select 1 from chat_accounts a where a.member_id = r.member_id and a.unlinked_at is null)`,
    [noticeId],
  );
  return { unread: rows.sort((a, b) => compareVietnameseNames(a.fullName, b.fullName)), withoutChat };
}
