/**
 * A chat command: one file in bot/core/commands/, listed once in commands/index.ts, and it
 * works on every channel. The core matches `names` accent- and case-insensitively (with
 * small typos tolerated), checks `audience` and `chats`, then calls `run`.
 */
import type { Deps } from '../../api/context.ts';
import type { Member } from '../../api/members/repository.ts';
import type { Principal } from '../../api/auth/principal.ts';
import type { ChatUpdate } from './update.ts';
import type { Reply } from './reply.ts';

/** The organisation whose subtree a bot serves (null: all). */
export interface BotScope {
  orgId: number | null;
}

export interface CommandContext {
  update: ChatUpdate;
  /** Text after the command's name ("bieuquyet 12 dong y" → "12 dong y"), trimmed. */
  args: string;
  /** The linked member who sent the update. */
  member: Member;
  principal: Principal;
  /** The member may run meetings of their cell (bí thư / phó bí thư). */
  isSecretary: boolean;
  deps: Deps;
  /** The organisation whose subtree this bot serves (null: all). */
  scope: BotScope;
  /** Every command this core knows (menus and dialogues run them by name). */
  commands: readonly Command[];
  /** Small per-chat state for multi-step dialogues; persisted, cleared with `null`. */
  session: {
    get<T = unknown>(key: string): Promise<T | undefined>;
    set(key: string, value: unknown | null): Promise<void>;
  };
}

export interface Command {
  /** Canonical name, also the Telegram command ("/diemdanh"); ASCII, no spaces. */
  name: string;
  /** Other ways to type it: "điểm danh", "checkin" … (matched without diacritics). */
  aliases: string[];
  /** One Vietnamese line for /help. */
  summary: string;
  /** Who may use it: every linked member, or only the cell's secretary. */
  audience: 'member' | 'secretary';
  chats: 'private' | 'group' | 'any';
  /** The private-chat fallback for text that matches no command (the assistant). */
  fallback?: boolean;
  run(ctx: CommandContext): Promise<Reply | Reply[]>;
  /**
   * Button presses of hand-written data ("hoi:<id>:<±1>", the assistant's 👍/👎): the core
   * decodes them as a typed action (bot/core/actions.ts) and hands this command the fields.
   * Other commands' buttons carry typed actions handled in bot/core/handle-action.ts.
   */
  onChoice?(ctx: CommandContext, data: string): Promise<Reply | Reply[]>;
}
