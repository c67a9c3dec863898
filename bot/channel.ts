/**
 * What the bot runtime needs from each platform adapter: turn a stored platform update into
 * a channel-neutral one, and deliver the core's replies back to that chat.
 */
import type { BotScope } from './core/conversation.ts';
import type { Reply } from './core/reply.ts';
import type { ChatUpdate } from './core/update.ts';

export interface BotChannel {
  readonly channel: 'telegram' | 'zalo';
  readonly botKey: string;
  readonly scope: BotScope;
  /** The platform update as a ChatUpdate, or null for events the bot does not handle. */
  parse(payload: unknown, receivedAt: Date): ChatUpdate | null;
  deliver(update: ChatUpdate, replies: Reply[]): Promise<void>;
  /** Starts long polling (feeding the inbox) or registers the webhook. */
  start(onUpdate: (updateId: string, payload: unknown) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}
