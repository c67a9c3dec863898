import type { Command, CommandContext } from '../command.ts';
import type { Reply } from '../reply.ts';
import { COMMANDS } from './index.ts';

/** /trogiup lists what THIS member may do HERE: a secretary sees more; a group sees group commands. */
export function helpFor(
  ctx: Pick<CommandContext, 'update' | 'isSecretary'>,
  commands: readonly Command[] = COMMANDS,
): Reply {
  const inGroup = ctx.update.chat.kind === 'group';
  const usable = commands.filter(
    (c) =>
      !c.fallback &&
      (c.chats === 'any' || (c.chats === 'group') === inGroup) &&
      (c.audience === 'member' || ctx.isSecretary),
  );
  const line = (c: Command) => `/${c.name}${c.aliases[0] ? ` (${c.aliases[0]})` : ''} — ${c.summary}`;
  const forMembers = usable.filter((c) => c.audience === 'member').map(line);
  const forSecretary = usable.filter((c) => c.audience === 'secretary').map(line);
  const assistant =
    !inGroup && commands.some((c) => c.fallback)
      ? ['', 'Hỏi đáp nghiệp vụ: cứ gõ câu hỏi, Trợ lý ảo sẽ trả lời kèm nguồn.']
      : [];
  return {
    text: [
      inGroup ? 'Lệnh dùng trong nhóm chi bộ:' : 'Các lệnh của đồng chí (gõ có dấu hay không dấu đều được):',
      ...forMembers,
      ...(forSecretary.length ? ['', 'Dành cho bí thư chi bộ:', ...forSecretary] : []),
      ...assistant,
    ].join('\n'),
  };
}

export const shortHelp = (): Reply => ({
  text: 'Mình chưa hiểu ý đồng chí. Gõ /trogiup (hoặc "tro giup") để xem các lệnh.',
});

export const helpCommand: Command = {
  name: 'trogiup',
  aliases: ['trợ giúp', 'help', 'huongdan', 'hướng dẫn', 'menu'],
  summary: 'xem các lệnh',
  audience: 'member',
  chats: 'any',
  async run(ctx) {
    return helpFor(ctx);
  },
};
