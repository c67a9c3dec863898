/**
 * Running a command with its checks (who may use it, and where), whether it was typed,
 * pressed in a menu or reached from a dialogue.
 */
import { AppError } from '../../api/errors.ts';
import type { Command, CommandContext } from './command.ts';
import type { Reply } from './reply.ts';

/** Why this member may not use this command here, if they may not. */
export function refuse(command: Command, ctx: Pick<CommandContext, 'update' | 'isSecretary'>): Reply | undefined {
  const inGroup = ctx.update.chat.kind === 'group';
  if (command.chats === 'private' && inGroup) return { text: 'Lệnh này chỉ dùng khi nhắn riêng với bot.' };
  if (command.chats === 'group' && !inGroup) return { text: 'Lệnh này dùng trong nhóm chat của chi bộ.' };
  if (command.audience === 'secretary' && !ctx.isSecretary) {
    return { text: 'Lệnh này dành cho bí thư (phó bí thư) chi bộ. Bạn có thể gõ "trợ giúp" để xem các việc của mình.' };
  }
  return undefined;
}

export async function runCommand(command: Command, ctx: CommandContext): Promise<Reply[]> {
  const refusal = refuse(command, ctx);
  if (refusal) return [refusal];
  return asList(await command.run(ctx));
}

/** Runs the command named `name` (its canonical name) with `args`. */
export async function runNamed(ctx: Omit<CommandContext, 'args'>, name: string, args = ''): Promise<Reply[]> {
  const command = ctx.commands.find((c) => c.name === name);
  if (!command) throw new AppError('not_found', 'Chức năng này hiện không có.');
  return runCommand(command, { ...ctx, args });
}

export const asList = (r: Reply | Reply[]) => (Array.isArray(r) ? r : [r]);
