import { unlinkChatAccount } from '../../../api/chat-accounts/unlink-chat-account.ts';
import type { Command } from '../command.ts';

/** Unlink this chat account (before changing phone or handing the phone to someone else). */
export const unlinkCommand: Command = {
  name: 'huylienket',
  aliases: ['hủy liên kết', 'unlink', 'dangxuat', 'đăng xuất'],
  summary: 'hủy liên kết tài khoản chat này',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    await unlinkChatAccount(ctx.deps, {
      channel: ctx.update.channel,
      botKey: ctx.update.botKey,
      externalUserId: ctx.update.from.id,
    });
    // The menu under the text field would lead nowhere now: take it away.
    return { text: 'Đã hủy liên kết. Khi cần dùng lại, xin bí thư chi bộ cấp mã mới.', keyboard: 'hide' };
  },
};
