/**
 * The conversation core: one channel-neutral update in, the replies out. Every channel
 * (Telegram, Zalo, web chat) calls `handleUpdate`; it knows no platform.
 *
 * In a private chat every finished action ends with the main menu, so a member can go on
 * by pressing buttons (or typing a digit on Zalo) without knowing any command.
 */
import type { Deps } from '../../api/context.ts';
import { AppError } from '../../api/errors.ts';
import { isConnectionError } from '../../api/db/connect.ts';
import { loadChatTurn } from '../../api/chat-accounts/chat-turn.ts';
import { findActiveAccount } from '../../api/chat-accounts/repository.ts';
import { findMember } from '../../api/members/repository.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { CAN, hasRole } from '../../api/auth/roles.ts';
import type { BotScope, Command, CommandContext } from './command.ts';
import type { Reply } from './reply.ts';
import type { ChatUpdate } from './update.ts';
import { matchCommand, namesCommandExactly } from './router.ts';
import { chatSession, choiceForNumber, rememberChoices } from './session.ts';
import { decodeAction } from './actions.ts';
import { handleAction, runMenuItem, STALE } from './handle-action.ts';
import { foldVietnamese } from '../../api/text/fold.ts';
import { ask, CANCELLED, currentDialog, endDialog, isCancelWord, type Dialog } from './dialog-state.ts';
import { continueDialog } from './dialogs.ts';
import { mainMenu, menuItemForText } from './menu.ts';
import { asList, runCommand } from './run-command.ts';
import { COMMANDS } from './commands/index.ts';
import { linkFromText, notLinkedReply } from './commands/link.ts';
import { castSealedBallot } from './commands/vote.ts';
import { helpFor, shortHelp } from './commands/help.ts';

export const APOLOGY = 'Xin lỗi, đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau ít phút.';

export async function handleUpdate(
  deps: Deps,
  update: ChatUpdate,
  scope: BotScope = { orgId: null },
  commands: readonly Command[] = COMMANDS,
): Promise<Reply[]> {
  try {
    const replies = await dispatch(deps, update, scope, commands);
    const offered = replies.filter((r) => r.choices?.length || r.menu?.length).at(-1);
    if (offered) await rememberChoices(deps.db, chatRef(update), [...(offered.choices ?? []), ...(offered.menu ?? [])]);
    return replies;
  } catch (error) {
    if (error instanceof AppError) return [{ text: error.message }];
    // The database is away (a failover): not this update's fault, and not an answer. The caller
    // keeps the update to process again (the inbox) or says to try again (the web chat).
    if (isConnectionError(error)) throw error;
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
  // The account, member, principal and role in one read shared with other updates.
  const turn = await loadChatTurn(deps.db, { channel: update.channel, botKey: update.botKey, userId: update.from.id });
  const session = chatSession(deps.db, chatRef(update));
  const dialog = inGroup ? undefined : await currentDialog({ session, deps });
  const text = update.text?.trim() ?? '';
  // A typed digit picks a numbered option — unless the dialogue is asking for a number.
  if (!update.choice && text && !(dialog && ask(dialog).expects === 'number')) {
    const picked = await choiceForNumber(session, text);
    if (picked) update = { ...update, choice: picked, text: undefined };
  }

  let account = turn.account;
  let justLinked: Reply[] | undefined;
  if (!account) {
    const linked = await linkFromText(deps, update, scope);
    account = linked && (await findActiveAccount(deps.db, update.channel, update.botKey, update.from.id));
    if (linked && !account) return linked;
    if (!account) {
      // In a group, chatter from people who are not linked is none of the bot's business.
      if (inGroup && !text.startsWith('/')) return [];
      return [notLinkedReply(update)];
    }
    justLinked = linked;
  }

  // Linked just now: read what the turn could not know yet.
  const member = justLinked ? await findMember(deps.db, account.memberId) : turn.member;
  if (!member?.active)
    return [{ text: 'Tài khoản đảng viên của bạn không còn hoạt động. Vui lòng liên hệ bí thư chi bộ.' }];
  const known = justLinked ? undefined : turn.principal;
  const principal = known ?? (await ensureMemberPrincipal(deps.db, member.id));
  const isSecretary = known ? turn.isSecretary : await hasRole(deps.db, principal.id, member.cellId, CAN.runMeetings);
  const ctx: CommandContext = { update, member, principal, isSecretary, deps, scope, commands, session, args: '' };

  if (justLinked) return [...justLinked, ...(await helpFor(ctx))];

  let replies: Reply[];
  try {
    replies = await respond(ctx, dialog, text);
  } catch (error) {
    // A refusal of the domain ("no meeting in progress") is a finished action too: the menu follows.
    if (!(error instanceof AppError)) throw error;
    replies = [{ text: error.message }];
  }
  return inGroup ? replies : withMenu(ctx, replies);
}

async function respond(ctx: CommandContext, dialog: Dialog | undefined, text: string): Promise<Reply[]> {
  const { update, commands } = ctx;
  const inGroup = update.chat.kind === 'group';

  if (update.sealedBallot) {
    if (dialog) await endDialog(ctx);
    return [await castSealedBallot(ctx, update.sealedBallot)];
  }

  if (update.choice) {
    const action = decodeAction(update.choice);
    if (!action) return [STALE];
    if (dialog && ['cancel', 'motion-kind', 'ballot', 'skip-photo', 'pick'].includes(action.kind))
      return asList(await continueDialog(ctx, dialog, { action }));
    // Another button: the member moved on, the dialogue is dropped.
    if (dialog) await endDialog(ctx);
    return handleAction(ctx, action);
  }

  if (dialog) {
    // Asking for help mid-step (or the web chat reloaded, which asks for help) keeps the step and
    // asks it again: a half-entered paper count or feedback is not lost, nor answered with "trợ giúp".
    if (isHelpWord(text)) return [askAgain(dialog)];
    // A slash command or a menu label (a reply-keyboard press) leaves the dialogue; anything
    // else (text or a photo) answers its step.
    const leaves = (text.startsWith('/') && !isCancelWord(text)) || menuItemForText(text);
    if (!leaves) return asList(await continueDialog(ctx, dialog, { text, photo: Boolean(update.photo) }));
    await endDialog(ctx);
  } else if (!inGroup && isCancelWord(text)) return [CANCELLED];

  // A bare number with no step waiting for it (nor a numbered choice to pick) is no question for
  // the assistant: say so, rather than quote a document about "0" or list "30" as unanswered.
  if (!inGroup && BARE_NUMBER.test(text)) return [numberOutOfContext(text)];
  // Emoji-only or empty messages name no command.
  if (!/[\p{L}\p{N}]/u.test(text)) return inGroup ? [] : [shortHelp()];
  // A reply-keyboard press sends its label ("💬 Hỏi Trợ lý ảo"): it is a menu item, not a question.
  const item = inGroup ? undefined : menuItemForText(text);
  if (item) return runMenuItem(ctx, item);
  const exactOnly = inGroup && !text.startsWith('/');
  const match = matchCommand(text, commands);
  if (!match || (exactOnly && !namesCommandExactly(text, match.command))) {
    if (inGroup) return [];
    const fallback = commands.find((c) => c.fallback);
    return fallback ? asList(await fallback.run({ ...ctx, args: text })) : [shortHelp()];
  }
  return runCommand(match.command, { ...ctx, args: match.args });
}

const BARE_NUMBER = /^[\s\d.,:/+-]*\d[\s\d.,:/+-]*$/;
const HELP_WORDS = new Set(['tro giup', 'trogiup', 'help', 'giup', 'giup do', 'huong dan']);
const isHelpWord = (text: string) =>
  text === '?' ||
  HELP_WORDS.has(
    foldVietnamese(text)
      .replace(/^\//, '')
      .replace(/[^a-z ]/g, '')
      .trim(),
  );

/** The step in progress asked again, saying it was kept. */
function askAgain(dialog: Dialog): Reply {
  const step = ask(dialog);
  return {
    ...step,
    text:
      `Đồng chí đang làm dở một việc — bước này vẫn được giữ:\n\n${step.text}\n\n` +
      'Trả lời để làm tiếp, hoặc bấm "Hủy".',
  };
}

function numberOutOfContext(text: string): Reply {
  return {
    text:
      `Đồng chí vừa gõ «${text.slice(0, 20)}», nhưng lúc này không có bước nào đang chờ một con số, ` +
      'nên số này không được ghi vào đâu. Đồng chí chọn việc bên dưới, hoặc gõ câu hỏi bằng chữ.',
  };
}

/** Ends a finished action with the main menu; replies that ask for a choice stand alone. */
async function withMenu(ctx: CommandContext, replies: Reply[]): Promise<Reply[]> {
  if (!replies.length || replies.some((r) => r.choices?.length || r.menu?.length || r.expects || r.keyboard === 'hide'))
    return replies;
  const menu = await mainMenu(ctx);
  const last = replies.at(-1)!;
  return [...replies.slice(0, -1), { ...last, menu }];
}

const chatRef = (u: ChatUpdate) => ({ channel: u.channel, botKey: u.botKey, chatId: u.chat.id });
