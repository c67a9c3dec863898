/**
 * Telegram's own conventions: on start each bot registers its command list with Vietnamese
 * descriptions (the "/" menu) for private chats (also the default scope, for any chat no other
 * list covers), a shorter list for group chats, and sets the menu button beside the text field
 * to show the commands. Every name here is a command of the core (checked in the unit tests).
 */
import type { Logger } from 'pino';

export interface CommandEntry {
  command: string;
  description: string;
}

export const PRIVATE_COMMANDS: CommandEntry[] = [
  { command: 'start', description: 'Bắt đầu, hiện menu các việc' },
  { command: 'lichhop', description: 'Lịch họp chi bộ, báo tham dự hay vắng' },
  { command: 'diemdanh', description: 'Điểm danh buổi họp đang diễn ra' },
  { command: 'bieuquyet', description: 'Biểu quyết nội dung đang mở' },
  { command: 'thongbao', description: 'Thông báo, văn bản mới' },
  { command: 'hoi', description: 'Hỏi Trợ lý ảo về công tác đảng' },
  { command: 'phananh', description: 'Gửi phản ánh, kiến nghị' },
  { command: 'nhiemvu', description: 'Nhiệm vụ được giao' },
  { command: 'trogiup', description: 'Trợ giúp: các việc có thể làm' },
  { command: 'xemthem', description: 'Tất cả các lệnh' },
];

export const GROUP_COMMANDS: CommandEntry[] = [
  { command: 'diemdanh', description: 'Điểm danh buổi họp' },
  { command: 'bieuquyet', description: 'Biểu quyết (phiếu kín: nhắn riêng cho bot)' },
  { command: 'lichhop', description: 'Lịch họp chi bộ' },
  { command: 'tinhhinh', description: 'Bí thư: tình hình điểm danh' },
  { command: 'ketthucbieuquyet', description: 'Bí thư: kết thúc biểu quyết' },
  { command: 'ganchibo', description: 'Bí thư: gắn nhóm này với chi bộ' },
  { command: 'trogiup', description: 'Các lệnh dùng trong nhóm' },
];

/** The part of the Bot API client this needs (telegraf's Telegram has it). */
export interface CommandsApi {
  setMyCommands(
    commands: readonly CommandEntry[],
    extra?: { scope?: { type: 'default' | 'all_private_chats' | 'all_group_chats' } },
  ): Promise<true>;
  setChatMenuButton(opts: { menuButton?: { type: 'commands' } }): Promise<true>;
}

/** Registers both lists and the menu button; a failure is logged and the bot runs on. */
export async function registerCommandMenu(api: CommandsApi, log: Logger, botKey: string): Promise<void> {
  try {
    await api.setMyCommands(PRIVATE_COMMANDS, { scope: { type: 'default' } });
    await api.setMyCommands(PRIVATE_COMMANDS, { scope: { type: 'all_private_chats' } });
    await api.setMyCommands(GROUP_COMMANDS, { scope: { type: 'all_group_chats' } });
    await api.setChatMenuButton({ menuButton: { type: 'commands' } });
  } catch {
    // The error may carry the request URL, which holds the token: say only what failed.
    log.warn({ bot: botKey }, 'telegram command menu not registered');
  }
}
