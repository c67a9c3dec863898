import type { Sql } from '../db/connect.ts';
import type { NoticeKind } from './notice.ts';

export interface MemberNoticeLine {
  id: number;
  title: string;
  kind: NoticeKind;
  readAt: Date | null;
}

/** Notices sent to a member, newest first: `limit` rows from `offset`. */
export async function listMemberNotices(
  sql: Sql,
  memberId: number,
  { limit, offset }: { limit: number; offset: number },
): Promise<MemberNoticeLine[]> {
  return sql.query<MemberNoticeLine>(
    `select n.id, n.title, n.kind, r.read_at as "readAt" from notice_recipients r join notices n on n.id = r.notice_id
      where r.member_id = $1 order by n.published_at desc, n.id desc limit $2 offset $3`,
    [memberId, limit, offset],
  );
}

/** The newest notice the member has not confirmed reading, if any. */
export async function findLatestUnreadNoticeId(sql: Sql, memberId: number): Promise<number | undefined> {
  const [latest] = await sql.query<{ id: number }>(
    `select r.notice_id as id from notice_recipients r join notices n on n.id = r.notice_id
      where r.member_id = $1 and r.read_at is null order by n.published_at desc limit 1`,
    [memberId],
  );
  return latest?.id;
}
