import type { Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import type { NoticeKind } from './notice.ts';

export interface MemberNotice {
  title: string;
  body: string;
  kind: NoticeKind;
  readAt: Date | null;
  /** The attached files' names, in the order they were attached. */
  attachments: string[];
}

/** A notice as its recipient sees it; one that was not sent to this member is not found. */
export async function readMemberNotice(sql: Sql, memberId: number, noticeId: number): Promise<MemberNotice> {
  const [n] = await sql.query<MemberNotice>(
    `select n.title, n.body, n.kind, r.read_at as "readAt",
            array(select a.filename from notice_attachments a where a.notice_id = n.id order by a.id) as attachments
       from notices n join notice_recipients r on r.notice_id = n.id
      where n.id = $1 and r.member_id = $2`,
    [noticeId, memberId],
  );
  if (!n) throw new AppError('not_found', 'Không tìm thấy thông báo này.');
  return n;
}
