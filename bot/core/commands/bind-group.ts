import { bindChatGroup, GROUP_CODE_TTL_MINUTES, issueGroupBindCode } from '../../../api/chat-groups/bind-chat-group.ts';
import { AppError } from '../../../api/errors.ts';
import type { Command } from '../command.ts';

/**
 * /ganchibo: in a private chat the secretary gets a one-time code; in the cell's group
 * "/ganchibo CODE" binds that group to the cell.
 */
export const bindGroupCommand: Command = {
  name: 'ganchibo',
  aliases: ['gắn chi bộ', 'gan nhom', 'gắn nhóm'],
  summary: 'gắn nhóm chat này với chi bộ (nhắn riêng để lấy mã, rồi gửi "/ganchibo MÃ" trong nhóm)',
  audience: 'secretary',
  chats: 'any',
  async run(ctx) {
    if (ctx.update.chat.kind === 'private') {
      const code = await issueGroupBindCode(ctx.deps, ctx.principal, ctx.member.cellId);
      return {
        text:
          `Mã gắn nhóm (dùng một lần, hết hạn sau ${GROUP_CODE_TTL_MINUTES} phút): ${code}\n` +
          `Trong nhóm chat của chi bộ, gửi: /ganchibo ${code}`,
      };
    }
    if (ctx.update.channel === 'web') throw new AppError('validation', 'Web chat không có nhóm.');
    if (!ctx.args) return { text: 'Hãy nhắn riêng "/ganchibo" cho bot để lấy mã, rồi gửi "/ganchibo MÃ" tại đây.' };
    const { orgName } = await bindChatGroup(ctx.deps, ctx.principal, {
      channel: ctx.update.channel,
      botKey: ctx.update.botKey,
      chatId: ctx.update.chat.id,
      title: ctx.update.chat.title ?? null,
      code: ctx.args,
    });
    return { text: `Đã gắn nhóm này với ${orgName}. Thông báo họp và kết quả biểu quyết sẽ được đăng tại đây.` };
  },
};
