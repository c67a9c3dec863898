/**
 * How the outbox worker hands a message to a platform. The channel registry (bot/channels.ts)
 * makes one sender per channel; the composition roots (api/main.ts, worker-main.ts) pass
 * them in, so nothing under api/ imports a platform library or names a channel.
 */
import type { OutboundPayload, StoredChoice } from './enqueue.ts';

export interface SendTarget {
  botKey: string;
  chatId: string;
  /** Telegram's paid broadcast for urgent notices (higher rate, billed in Stars). */
  paidBroadcast?: boolean;
}

export interface SendResult {
  /** The platform's message id(s), for edits and read receipts. */
  providerMessageId: string;
}

/** A send failure classified for retry policy. */
export class SendError extends Error {
  constructor(
    readonly kind: 'rate_limited' | 'transient' | 'permanent',
    /** Short reason stored on the delivery row (never message text or tokens). */
    readonly reason: string,
    /** For rate_limited: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(`${kind}: ${reason}`);
    this.name = 'SendError';
  }
}

/** A platform's send limits, per bot. */
export interface ChannelLimits {
  perSecond: number;
  paidPerSecond: number;
  /** Minimum milliseconds between two messages to one private chat / one group. */
  privateChatGapMs: number;
  groupChatGapMs: number;
}

export interface ChannelSender {
  readonly channel: string;
  /** The bots of this channel this process can send for: its worker claims only their messages. */
  readonly botKeys: readonly string[];
  /** The platform's limits for every bot of this channel. */
  readonly limits: ChannelLimits;
  /** Choices are answered by typing their number: remember them when a message is sent. */
  readonly numberedChoices: boolean;
  /** A button's wire data (the conversation core's codec), for remembering numbered choices. */
  choiceData?(choice: StoredChoice): string;
  /** Sends one message (the adapter splits long text into numbered parts itself). */
  send(target: SendTarget, payload: OutboundPayload): Promise<SendResult>;
}
