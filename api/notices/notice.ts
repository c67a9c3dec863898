import { maybeOne, type Sql } from '../db/connect.ts';
import type { OutboundPayload } from '../outbox/enqueue.ts';

export const NOTICE_KINDS = ['notice', 'document', 'resolution', 'study', 'news'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const KIND_LABELS: Record<NoticeKind, string> = {
  notice: 'Thông báo',
  document: 'Văn kiện – tư liệu',
  resolution: 'Nghị quyết',
  study: 'Tài liệu học tập nghị quyết',
  news: 'Tin tức',
};

export interface Notice {
  id: number;
  orgId: number;
  kind: NoticeKind;
  title: string;
  body: string;
  officialOnly: boolean;
  memberIds: number[] | null;
  publishAt: Date;
  publishedAt: Date | null;
  ackDueOn: string | null;
  paidBroadcast: boolean;
  version: number;
}

export const NOTICE_COLUMNS = `id, org_id as "orgId", kind, title, body, official_only as "officialOnly",
  member_ids as "memberIds", publish_at as "publishAt", published_at as "publishedAt", ack_due_on as "ackDueOn",
  paid_broadcast as "paidBroadcast", version`;

export async function findNotice(sql: Sql, id: number): Promise<Notice | undefined> {
  return maybeOne<Notice>(sql, `select ${NOTICE_COLUMNS} from notices where id = $1`, [id]);
}

/** The reminder a member who has not confirmed reading gets (from the due date, or sent by hand). */
export function reminderMessage(noticeId: number, title: string): OutboundPayload {
  return {
    text: `⏰ Nhắc: đồng chí chưa xác nhận đã đọc "${title}".`,
    choices: [{ label: 'Đã đọc', action: { kind: 'notice-read', noticeId } }],
  };
}
