/**
 * What a chat channel is made of. Each channel module (bot/telegram, bot/zalo, bot/web, …)
 * exports one `ChannelModule` that declares everything the rest of the code needs — how a
 * platform update names itself, how a webhook call is verified, the platform's send limits,
 * how a message is rendered and sent, how updates are polled — and `bot/channels.ts` lists
 * the modules. Nothing else names a channel.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { OutboundPayload } from '../api/outbox/enqueue.ts';
import type { ChannelLimits, SendResult, SendTarget } from '../api/outbox/sender.ts';
import type { BotScope } from './core/command.ts';
import type { ChatUpdate } from './core/update.ts';

/** One configured bot (from TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN or BOTS). */
export interface BotConfig {
  key: string;
  channel: string;
  token: string;
  orgId: number | null;
}

export interface BotContext {
  /** The platform's API address (tests, self-hosted servers); the module's default when unset. */
  apiRoot?: string;
  /** Webhook mode when set; long polling otherwise. */
  webhook?: { url: string; secret: string };
  log: Logger;
}

/** The ids the inbox needs from a platform update: its unique id and the chat it came from. */
export interface UpdateIds {
  updateId: string;
  chatId: string | null;
}

export interface ChannelModule {
  /** The channel's name in URLs, the database and configuration: a-z, 0-9, _ and -. */
  readonly name: string;
  /** `<PREFIX>_BOT_TOKEN`, `<PREFIX>_BOT_ORG`, `<PREFIX>_API_ROOT` configure one bot of it. */
  readonly envPrefix?: string;
  /** The platform's limits, applied by the outbox to every bot of this channel. */
  readonly limits: ChannelLimits;
  /**
   * Replies go through the outbox (`push`) or are returned in the request that carried the
   * update (`inline`: the web chat, which has no push).
   */
  readonly replies: 'push' | 'inline';
  /** Choices are typed back as "1", "2", … (no buttons): remembered when a message is sent. */
  readonly numberedChoices: boolean;
  /** Ids of a platform update (webhook body or polled item); null when it is not one. */
  identify(body: unknown): UpdateIds | null;
  /**
   * Whether a webhook call comes from the platform: a secret header (Telegram, Zalo) or a
   * signature of the raw body (e.g. Messenger's X-Hub-Signature-256).
   */
  verifyWebhook(request: { headers: IncomingHttpHeaders; rawBody: Buffer }, secret: string): boolean;
  /** A running bot of this channel. */
  createBot(config: BotConfig, scope: BotScope, context: BotContext): BotChannel;
}

/** One running bot: parses its updates, sends messages, polls or registers its webhook. */
export interface BotChannel {
  readonly channel: string;
  readonly botKey: string;
  readonly scope: BotScope;
  /** The platform update as a ChatUpdate, or null for events the bot does not handle. */
  parse(payload: unknown, receivedAt: Date): ChatUpdate | null;
  /**
   * Answers a button press (or what stands for one) the moment it is stored, whatever the queue
   * behind it: not a message to the chat, so no outbox and none of its limits. `webhook`: may
   * return a Bot API call to send as the webhook's response body (Telegram runs it; no extra
   * request). `poll`: calls the platform itself. Never throws; a lost acknowledgement only
   * leaves the platform's own spinner to time out.
   */
  acknowledgeReceipt?(payload: unknown, via: 'webhook' | 'poll'): Promise<WebhookReply | undefined>;
  /**
   * Renders and sends one outbox message. Failures are thrown as SendError, classified
   * (rate_limited with retry_after, transient, permanent) for the outbox's retry rules.
   */
  send(target: SendTarget, payload: OutboundPayload): Promise<SendResult>;
  /** Starts long polling (each update handed to `onUpdate`) or registers the webhook. */
  start(onUpdate: (payload: unknown) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** A Bot API method call returned as a webhook's response body. */
export type WebhookReply = { method: string } & Record<string, unknown>;

export const POLL_RETRY_MS = 2000;

/**
 * The long-polling loop every channel shares: fetch a batch, hand each update to the inbox
 * in order, acknowledge the batch, and on failure wait and retry — until stopped.
 */
export function pollLoop(o: {
  label: { bot: string; channel: string };
  log: Logger;
  signal: AbortSignal;
  fetch: (signal: AbortSignal) => Promise<unknown[]>;
  onUpdate: (payload: unknown) => Promise<void>;
  /** Called after a batch is stored (Telegram: advance the offset). */
  after?: (batch: unknown[]) => void;
  describe: (e: unknown) => string;
}): Promise<void> {
  return (async () => {
    while (!o.signal.aborted) {
      try {
        const batch = await o.fetch(o.signal);
        for (const u of batch) {
          if (o.signal.aborted) return;
          await o.onUpdate(u);
        }
        o.after?.(batch);
      } catch (e) {
        if (o.signal.aborted) return;
        o.log.warn({ ...o.label, error: o.describe(e) }, 'polling failed; retrying');
        await new Promise((r) => setTimeout(r, POLL_RETRY_MS));
      }
    }
  })();
}
