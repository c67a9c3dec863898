import { acknowledgeNotice } from '../../../api/notices/manage-notice.ts';
import { KIND_LABELS, type NoticeKind } from '../../../api/notices/notice.ts';
import { plain } from '../../../api/notices/deliver-notice.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command, CommandContext } from '../command.ts';

const PAGE = 5;

/** thongbao [trang] — recent notices, newest first, paged; pick one to read it. */
export const noticesCommand: Command = {
  name: 'thongbao',
  aliases: ['thông báo', 'tin moi', 'tin mới', 'van ban', 'văn bản'],
  summary: 'xem thông báo, văn bản mới (thongbao 2: trang sau)',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const page = Math.max(1, Number(/\d+/.exec(ctx.args)?.[0] ?? 1));
    const rows = await ctx.deps.db.query<{ id: number; title: string; kind: NoticeKind; readAt: Date | null }>(
      `select n.id, n.title, n.kind, r.read_at as "readAt" from notice_recipients r join notices n on n.id = r.notice_id
        where r.member_id = $1 order by n.published_at desc, n.id desc limit $2 offset $3`,
      [ctx.member.id, PAGE + 1, (page - 1) * PAGE],
    );
    if (!rows.length)
      return { text: page === 1 ? 'Chưa có thông báo nào gửi đồng chí.' : 'Không còn thông báo cũ hơn.' };
    const shown = rows.slice(0, PAGE);
    return {
      text:
        `Thông báo (trang ${page}):\n` +
        shown.map((r, i) => `${i + 1}. ${r.readAt ? '' : '🔴 '}${KIND_LABELS[r.kind]}: ${r.title}`).join('\n') +
        (rows.length > PAGE ? `\n\nGõ "thongbao ${page + 1}" để xem tiếp.` : ''),
      choices: shown.map((r, i) => ({ label: `Đọc ${i + 1}`, data: `thongbao:${r.id}` })),
    };
  },
  async onChoice(ctx, data) {
    return showNotice(ctx, Number(data));
  },
};

async function showNotice(ctx: CommandContext, noticeId: number) {
  const [n] = await ctx.deps.db.query<{ title: string; body: string; kind: NoticeKind; readAt: Date | null }>(
    `select n.title, n.body, n.kind, r.read_at as "readAt" from notices n join notice_recipients r on r.notice_id = n.id
      where n.id = $1 and r.member_id = $2`,
    [noticeId, ctx.member.id],
  );
  if (!n) throw new AppError('not_found', 'Không tìm thấy thông báo này.');
  return {
    text: `📢 ${KIND_LABELS[n.kind]}: ${n.title}\n\n${plain(n.body)}`,
    choices: n.readAt ? undefined : [{ label: 'Đã đọc', data: `dadoc:${noticeId}` }],
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
    const [latest] = await ctx.deps.db.query<{ id: number }>(
      `select r.notice_id as id from notice_recipients r join notices n on n.id = r.notice_id
        where r.member_id = $1 and r.read_at is null order by n.published_at desc limit 1`,
      [ctx.member.id],
    );
    if (!latest) return { text: 'Đồng chí đã đọc hết các thông báo.' };
    return ack(ctx, latest.id);
  },
  async onChoice(ctx, data) {
    return ack(ctx, Number(data));
  },
};

async function ack(ctx: CommandContext, noticeId: number) {
  const { title, first } = await acknowledgeNotice(ctx.deps, ctx.member.id, noticeId);
  return { text: first ? `Đã ghi nhận: đồng chí đã đọc "${title}".` : `Đồng chí đã xác nhận đọc "${title}" trước đó.` };
}
