import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { signLink } from '../http/signed-link.ts';
import { enqueuePersonal } from '../outbox/enqueue.ts';
import { KIND_LABELS, type Notice } from './notice.ts';

export const VIEW_LINK_DAYS = 180;
const EXCERPT = 600;

/**
 * Publishes a notice inside the caller's transaction: fixes the recipients (the subtree,
 * narrowed to official members or a list) and writes one outbox row per recipient and
 * linked chat account, each with the member's own signed link to the web view.
 */
export async function deliverNotice(
  sql: Sql,
  deps: Pick<Deps, 'clock' | 'config' | 'linkSecret'>,
  notice: Notice,
): Promise<number> {
  const now = deps.clock.now();
  const recipients = await sql.query<{ memberId: number }>(
    `insert into notice_recipients (notice_id, member_id, cell_id)
     select $1, m.id, m.cell_id from members m join orgs o on o.id = $2
      where m.cell_path <@ o.path and m.active
        and (not $3 or m.status = 'official')
        and ($4::int[] is null or m.id = any($4::int[]))
     on conflict do nothing
     returning member_id as "memberId"`,
    [notice.id, notice.orgId, notice.officialOnly, notice.memberIds],
  );
  await sql.query(`update notices set published_at = $2 where id = $1`, [notice.id, now]);
  const base = deps.config.publicUrl ?? `http://localhost:${deps.config.port}`;
  const expires = new Date(now.getTime() + VIEW_LINK_DAYS * 86_400_000);
  const body = notice.body.length > EXCERPT ? `${notice.body.slice(0, EXCERPT).trimEnd()}…` : notice.body;
  const text = `📢 ${KIND_LABELS[notice.kind]}: ${notice.title}\n\n${plain(body)}${notice.ackDueOn ? `\n\nXin xác nhận đã đọc trước ngày ${notice.ackDueOn.split('-').reverse().join('/')}.` : ''}`;
  const items = recipients.map((r) => ({
    memberId: r.memberId,
    payload: {
      text,
      link: {
        label: 'Xem toàn văn và tệp đính kèm',
        url: `${base}/n/${signLink(deps.linkSecret, 'notice', [notice.id, r.memberId], expires)}`,
      },
      choices: [{ label: 'Đã đọc', action: { kind: 'notice-read' as const, noticeId: notice.id } }],
      paidBroadcast: notice.paidBroadcast || undefined,
    },
  }));
  await enqueuePersonal(sql, items, {
    kind: 'notice',
    refType: 'notice',
    refId: notice.id,
    dedupePrefix: `notice:${notice.id}`,
  });
  return recipients.length;
}

/** Markdown shown as plain text on any phone: no markup characters left over. */
export function plain(markdown: string): string {
  return markdown
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\*(.+?)\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/^\s*[-*]\s+/gm, '• ');
}
