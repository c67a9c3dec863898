/**
 * "quản trị" / "/admin": a member with a role (secretary, committee, editor, admin) gets a
 * one-time link to the web console. Private chats only: the link signs its holder in.
 */
import { issueConsoleLink } from '../../../api/console/issue-console-link.ts';
import type { Command } from '../command.ts';

export const consoleCommand: Command = {
  name: 'admin',
  aliases: ['quản trị', 'quantri', 'trang quản trị', 'console'],
  summary: 'mở trang quản trị trên máy tính (bí thư, cấp ủy)',
  audience: 'member',
  chats: 'private',
  async run(ctx) {
    const link = await issueConsoleLink(ctx.deps, ctx.principal);
    return {
      text:
        `Đường dẫn vào trang quản trị (dùng một lần, hết hạn sau ${link.minutes} phút). ` +
        'Không chuyển đường dẫn này cho người khác.',
      link: { label: 'Mở trang quản trị', url: link.url },
    };
  },
};
