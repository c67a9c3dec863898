import { acknowledgeNotice } from '../../../api/notices/manage-notice.ts';
import { KIND_LABELS } from '../../../api/notices/notice.ts';
import { boldPhrases, noticeViewLink, plain } from '../../../api/notices/deliver-notice.ts';
import { findLatestUnreadNoticeId, listMemberNotices } from '../../../api/notices/list-member-notices.ts';
import { readMemberNotice } from '../../../api/notices/read-member-notice.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Choice, Reply } from '../reply.ts';

const PAGE = 5;

/** thongbao [trang] — recent notices, newest first, paged; pick one to read it. */
export const noticesCommand: Command = {
  name: 'thongbao',
  aliases: ['thông báo', 'tin moi', 'tin mới', 'van ban', 'văn bản'],
  summary: 'xem thông báo, văn bản mới (thongbao 2: trang sau)',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    return noticesPage(ctx, Math.max(1, Number(/\d+/.exec(ctx.args)?.[0] ?? 1)));
  },
};

export async function noticesPage(ctx: CommandContext, page: number): Promise<Reply> {
  const rows = await listMemberNotices(ctx.deps.db, ctx.member.id, { limit: PAGE + 1, offset: (page - 1) * PAGE });
  if (!rows.length) return { text: page === 1 ? 'Chưa có thông báo nào gửi đồng chí.' : 'Không còn thông báo cũ hơn.' };
  const shown = rows.slice(0, PAGE);
  const choices: Choice[] = shown.map((r, i) => ({
    label: `Đọc ${i + 1}`,
    action: { kind: 'notice-open', noticeId: r.id },
  }));
  if (rows.length > PAGE) choices.push({ label: 'Trang sau', action: { kind: 'notices-page', page: page + 1 } });
  return {
    text:
      `Thông báo (trang ${page}):\n` +
      shown.map((r, i) => `${i + 1}. ${r.readAt ? '' : '🔴 '}${KIND_LABELS[r.kind]}: ${r.title}`).join('\n') +
      (rows.length > PAGE ? `\n\nGõ "thongbao ${page + 1}" để xem tiếp.` : ''),
    choices,
  };
}

export async function showNotice(ctx: CommandContext, noticeId: number): Promise<Reply> {
  const n = await readMemberNotice(ctx.deps.db, ctx.member.id, noticeId);
  const files = n.attachments.length ? `\n\n📎 Tệp đính kèm: ${n.attachments.join(', ')}.` : '';
  return {
    text: `📢 ${KIND_LABELS[n.kind]}: ${n.title}\n\n${plain(n.body)}${files}`,
    // The same web view as the delivered message: the full text, the attachments, "Đã đọc".
    link: noticeViewLink(ctx.deps, noticeId, ctx.member.id),
    bold: boldPhrases(n.body),
    choices: n.readAt ? undefined : [{ label: 'Đã đọc', action: { kind: 'notice-read', noticeId } }],
  };
}

/** dadoc — "Đã đọc": acknowledges the notice (button), or the latest unread one when typed. */
export const acknowledgeCommand: Command = {
  name: 'dadoc',
  aliases: ['đã đọc', 'da xem', 'đã xem'],
  summary: 'xác nhận đã đọc thông báo mới nhất',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const latest = await findLatestUnreadNoticeId(ctx.deps.db, ctx.member.id);
    if (!latest) return { text: 'Đồng chí đã đọc hết các thông báo.' };
    return acknowledge(ctx, latest);
  },
};

export async function acknowledge(ctx: CommandContext, noticeId: number): Promise<Reply> {
  const { title, first } = await acknowledgeNotice(ctx.deps, ctx.member.id, noticeId);
  return { text: first ? `Đã ghi nhận: đồng chí đã đọc "${title}".` : `Đồng chí đã xác nhận đọc "${title}" trước đó.` };
}
