/**
 * Linking a chat account to a member with the one-time code a secretary issued:
 * "/start CODE" (Telegram deep link t.me/<bot>?start=CODE), "lienket CODE", or the code alone.
 * Deep links open the right action: "/start diemdanh_<room code>" (the meeting room's QR
 * code) checks in, "/start thongbao_<id>" opens a notice.
 */
import type { Deps } from '../../../api/context.ts';
import { linkChatAccount } from '../../../api/chat-accounts/link-chat-account.ts';
import { normalizeLinkCode } from '../../../api/chat-accounts/link-code.ts';
import { foldVietnamese } from '../../../api/text/fold.ts';
import type { BotScope, Command } from '../command.ts';
import type { Reply } from '../reply.ts';
import type { ChatUpdate } from '../update.ts';
import { helpFor } from './help.ts';
import { decodeStart } from '../deep-link.ts';
import { checkInCommand } from './check-in.ts';
import { showNotice } from './notices.ts';

const LINK_WORDS = ['start', 'lienket', 'lien ket', 'link'];

/** The code in "/start CODE", "lienket CODE" or a bare code, if the text is one of those. */
export function codeInText(text: string): string | undefined {
  const t = text.trim().replace(/^\//, '');
  const folded = foldVietnamese(t);
  for (const word of LINK_WORDS) {
    if (folded.startsWith(`${word} `)) return t.slice(word.length).trim() || undefined;
  }
  return normalizeLinkCode(t) ? t : undefined;
}

/** For a chat account that is not linked yet: links it when the text carries a code. */
export async function linkFromText(deps: Deps, update: ChatUpdate, scope: BotScope): Promise<Reply[] | undefined> {
  const code = update.text ? codeInText(update.text) : undefined;
  if (!code) return undefined;
  // A room QR code or a notice link opened before linking: say how to link first.
  if (decodeStart(code)) return [notLinkedReply(update)];
  if (update.chat.kind === 'group')
    return [{ text: 'Để bảo mật, hãy gửi mã liên kết khi nhắn riêng với bot, không gửi trong nhóm.' }];
  const { member } = await linkChatAccount(deps, {
    channel: update.channel,
    botKey: update.botKey,
    externalUserId: update.from.id,
    chatId: update.chat.id,
    displayName: update.from.displayName ?? null,
    code,
    withinOrgId: scope.orgId,
  });
  return [{ text: `Đã liên kết tài khoản với đảng viên ${member.fullName}. Chào mừng đồng chí!`, keyboard: 'show' }];
}

export function notLinkedReply(update: ChatUpdate): Reply {
  const how =
    update.channel === 'telegram'
      ? 'gửi "/start MÃ" (hoặc mở đường link bí thư gửi)'
      : update.channel === 'zalo'
        ? 'gửi "lienket MÃ" hoặc chỉ gửi MÃ'
        : 'mở đường link đăng nhập bí thư gửi';
  return {
    text:
      'Chào đồng chí! Tài khoản chat này chưa được liên kết với hồ sơ đảng viên.\n\n' +
      `Xin bí thư chi bộ cấp mã liên kết (10 ký tự, ví dụ ABCDE-12345), rồi ${how}. ` +
      'Mã chỉ dùng một lần và có hạn sử dụng.',
  };
}

/** For a linked member: "/start" greets; "/start CODE" re-links (e.g. after changing phone). */
export const linkCommand: Command = {
  name: 'start',
  aliases: ['liên kết', 'lienket', 'batdau', 'bắt đầu'],
  summary: 'liên kết lại tài khoản bằng mã mới: lienket MÃ',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    if (!ctx.args)
      return [{ text: `Chào đồng chí ${ctx.member.fullName}!`, keyboard: 'show' }, ...(await helpFor(ctx))];
    // A deep link: the room's QR code ("/start diemdanh_<code>"), a notice posted to the
    // cell's group ("/start thongbao_<id>").
    const opened = decodeStart(ctx.args);
    if (opened?.kind === 'room-check-in') return checkInCommand.run({ ...ctx, args: opened.code });
    if (opened?.kind === 'notice-open') return showNotice(ctx, opened.noticeId);
    const { member } = await linkChatAccount(ctx.deps, {
      channel: ctx.update.channel,
      botKey: ctx.update.botKey,
      externalUserId: ctx.update.from.id,
      chatId: ctx.update.chat.id,
      displayName: ctx.update.from.displayName ?? null,
      code: ctx.args,
      // Re-linking obeys the bot's subtree exactly like a first link.
      withinOrgId: ctx.scope.orgId,
    });
    return { text: `Đã liên kết tài khoản với đảng viên ${member.fullName}.` };
  },
};
