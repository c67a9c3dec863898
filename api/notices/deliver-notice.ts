import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { signLink } from '../http/signed-link.ts';
import { enqueueForOrgGroups, enqueuePersonal } from '../outbox/enqueue.ts';
import { KIND_LABELS, type Notice } from './notice.ts';

export const VIEW_LINK_DAYS = 180;
const EXCERPT = 600;

/**
 * Publishes a notice inside the caller's transaction: fixes the recipients (the subtree,
 * narrowed to official members or a list) and writes one outbox row per recipient and
 * linked chat account, each with the member's own signed link to the web view. A notice for
 * every member of the subtree is also announced, by its title only, in the chat groups bound
 * to its units, with a deep link to read and acknowledge it in a private chat with the bot
 * (the group is no place for "Đã đọc", and the text stays in members' own chats).
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
  const body = notice.body.length > EXCERPT ? `${notice.body.slice(0, EXCERPT).trimEnd()}…` : notice.body;
  const due = notice.ackDueOn
    ? `\n\nXin xác nhận đã đọc trước ngày ${notice.ackDueOn.split('-').reverse().join('/')}.`
    : '';
  const text = `📢 ${KIND_LABELS[notice.kind]}: ${notice.title}\n\n${plain(body)}${due}`;
  const items = recipients.map((r) => ({
    memberId: r.memberId,
    payload: {
      text,
      link: noticeViewLink(deps, notice.id, r.memberId),
      bold: boldPhrases(body),
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
  // A narrowed notice (official members only, or a list) is not announced to the whole group.
  if (!notice.officialOnly && !notice.memberIds?.length)
    await enqueueForOrgGroups(
      sql,
      notice.orgId,
      {
        text:
          `📢 ${KIND_LABELS[notice.kind]}: ${notice.title}\n\n` +
          `Đồng chí đọc toàn văn và xác nhận đã đọc khi nhắn riêng với bot.${due}`,
        deepLink: { label: 'Đọc và xác nhận', action: { kind: 'notice-open', noticeId: notice.id } },
      },
      { kind: 'notice.group', refType: 'notice', refId: notice.id, dedupePrefix: `notice:${notice.id}:group` },
      { subtree: true },
    );
  return recipients.length;
}

/**
 * The member's own signed link to the notice's web view (full text, attachments, "Đã đọc"),
 * good for VIEW_LINK_DAYS from now: in the message that delivers the notice, and again whenever
 * the member opens it from "Thông báo mới".
 */
export function noticeViewLink(
  deps: Pick<Deps, 'clock' | 'config' | 'linkSecret'>,
  noticeId: number,
  memberId: number,
): { label: string; url: string } {
  const base = deps.config.publicUrl ?? `http://localhost:${deps.config.port}`;
  const expires = new Date(deps.clock.now().getTime() + VIEW_LINK_DAYS * 86_400_000);
  return {
    label: 'Xem toàn văn và tệp đính kèm',
    url: `${base}/n/${signLink(deps.linkSecret, 'notice', [noticeId, memberId], expires)}`,
  };
}

/** The phrases a notice's Markdown marks **bold** (as plain() leaves them), for channels that show bold. */
export function boldPhrases(markdown: string): string[] | undefined {
  const phrases = [...markdown.matchAll(/\*\*(.+?)\*\*/g)].map((m) => plain(m[1])).slice(0, 50);
  return phrases.length ? phrases : undefined;
}

/** Markdown shown as plain text on any phone: no markup characters left over. */
export function plain(markdown: string): string {
  return (
    markdown
      // A browser's form posts lines ending in CR LF: a lone CR is no line break on Telegram or
      // Zalo, and a list would run together on one line.
      .replace(/\r\n?/g, '\n')
      .replace(/^#{1,6}[ \t]+/gm, '')
      .replace(/\*\*(.+?)\*\*/g, '$1')
      .replace(/\*(.+?)\*/g, '$1')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
      // Within the line only: the blank line before a list stays.
      .replace(/^[ \t]*[-*][ \t]+/gm, '• ')
  );
}
