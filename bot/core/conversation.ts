/**
 * The conversation core: one channel-neutral update in, the replies out. Every channel
 * (Telegram, Zalo, web chat) calls `handleUpdate`; it knows no platform.
 */
import type { Deps } from '../../api/context.ts';
import { AppError } from '../../api/errors.ts';
import { findActiveAccount } from '../../api/chat-accounts/repository.ts';
import { findMember } from '../../api/members/repository.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { CAN, hasRole } from '../../api/auth/roles.ts';
import type { Command, CommandContext } from './command.ts';
import type { Reply } from './reply.ts';
import type { ChatUpdate } from './update.ts';
import { matchCommand, namesCommandExactly } from './router.ts';
import { chatSession, choiceForNumber, rememberChoices } from './session.ts';
import { COMMANDS } from './commands/index.ts';
import { linkFromText, notLinkedReply } from './commands/link.ts';
import { shortHelp } from './commands/help.ts';

export interface BotScope {
  /** The organisation whose subtree this bot serves (null: all). */
  orgId: number | null;
}

export const APOLOGY = 'Xin lỗi, đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau ít phút.';

export async function handleUpdate(
  deps: Deps,
  update: ChatUpdate,
  scope: BotScope = { orgId: null },
  commands: readonly Command[] = COMMANDS,
): Promise<Reply[]> {
  try {
    const replies = await dispatch(deps, update, scope, commands);
    const withChoices = replies.filter((r) => r.choices?.length).at(-1);
    if (withChoices) await rememberChoices(deps.db, chatRef(update), withChoices.choices!);
    return replies;
  } catch (error) {
    if (error instanceof AppError) return [{ text: error.message }];
    // Never the message text: only where it came from.
    deps.log.error(
      { err: error, channel: update.channel, bot: update.botKey, updateId: update.updateId },
      'chat update failed',
    );
    return [{ text: APOLOGY }];
  }
}

async function dispatch(
  deps: Deps,
  update: ChatUpdate,
  scope: BotScope,
  commands: readonly Command[],
): Promise<Reply[]> {
  const inGroup = update.chat.kind === 'group';
  const text = update.text?.trim() ?? '';
  if (!update.choice && text) {
    const picked = await choiceForNumber(deps.db, chatRef(update), text);
    if (picked) update = { ...update, choice: picked, text: undefined };
  }

  const account = await findActiveAccount(deps.db, update.channel, update.botKey, update.from.id);
  if (!account) {
    const linked = await linkFromText(deps, update, scope);
    if (linked) return linked;
    // In a group, chatter from people who are not linked is none of the bot's business.
    if (inGroup && !text.startsWith('/')) return [];
    return [notLinkedReply(update)];
  }

  const member = await findMember(deps.db, account.memberId);
  if (!member?.active)
    return [{ text: 'Tài khoản đảng viên của bạn không còn hoạt động. Vui lòng liên hệ bí thư chi bộ.' }];
  const principal = await ensureMemberPrincipal(deps.db, member.id);
  const isSecretary = await hasRole(deps.db, principal.id, member.cellId, CAN.runMeetings);
  const base = {
    update,
    member,
    principal,
    isSecretary,
    deps,
    scope,
    session: chatSession(deps.db, chatRef(update)),
  };

  if (update.choice) {
    const [name, ...rest] = update.choice.split(':');
    const command = commands.find((c) => c.name === name && c.onChoice);
    if (!command) return [{ text: 'Lựa chọn này đã hết hiệu lực.' }];
    const refusal = refuse(command, base);
    if (refusal) return [refusal];
    return asList(await command.onChoice!({ ...base, args: '' }, rest.join(':')));
  }

  // Emoji-only or empty messages name no command.
  if (!/[\p{L}\p{N}]/u.test(text)) return inGroup ? [] : [shortHelp()];
  const exactOnly = inGroup && !text.startsWith('/');
  const match = matchCommand(text, commands);
  if (!match || (exactOnly && !namesCommandExactly(text, match.command))) {
    if (inGroup) return [];
    const fallback = commands.find((c) => c.fallback);
    return fallback ? asList(await fallback.run({ ...base, args: text })) : [shortHelp()];
  }
  const refusal = refuse(match.command, base);
  if (refusal) return [refusal];
  return asList(await match.command.run({ ...base, args: match.args }));
}

/** Why this member may not use this command here, if they may not. */
function refuse(command: Command, ctx: Omit<CommandContext, 'args'>): Reply | undefined {
  const inGroup = ctx.update.chat.kind === 'group';
  if (command.chats === 'private' && inGroup) return { text: 'Lệnh này chỉ dùng khi nhắn riêng với bot.' };
  if (command.chats === 'group' && !inGroup) return { text: 'Lệnh này dùng trong nhóm chat của chi bộ.' };
  if (command.audience === 'secretary' && !ctx.isSecretary) {
    return { text: 'Lệnh này dành cho bí thư (phó bí thư) chi bộ. Bạn có thể gõ /trogiup để xem các lệnh của mình.' };
  }
  return undefined;
}

const asList = (r: Reply | Reply[]) => (Array.isArray(r) ? r : [r]);
const chatRef = (u: ChatUpdate) => ({ channel: u.channel, botKey: u.botKey, chatId: u.chat.id });
