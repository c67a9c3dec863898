/**
 * Zalo Bot Platform: updates in (polling or webhook), replies out through ZaloClient.
 */
import type { Logger } from 'pino';
import type { Sql } from '../../api/db/connect.ts';
import type { BotChannel } from '../channel.ts';
import type { BotScope } from '../core/conversation.ts';
import type { Reply } from '../core/reply.ts';
import type { ChatUpdate } from '../core/update.ts';
import { rememberChoices } from '../core/session.ts';
import { SendError, type ChannelSender, type SendTarget } from '../../api/outbox/sender.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { ZaloApiError, ZaloClient, type ZaloUpdate } from './client.ts';
import { renderZalo } from './render.ts';

export interface ZaloBotOptions {
  botKey: string;
  token: string;
  apiRoot?: string;
  scope: BotScope;
  webhook?: { url: string; secret: string };
  log: Logger;
}

/** A Zalo update, as a webhook body or a getUpdates result ({ ok, result } envelope or bare). */
export function unwrapZaloUpdate(payload: unknown): ZaloUpdate | null {
  const p = payload as {
    result?: unknown;
    event_name?: unknown;
    message?: { message_id?: unknown; from?: { id?: unknown }; chat?: { id?: unknown } };
  };
  const u = (p && typeof p === 'object' && 'result' in p ? p.result : p) as typeof p;
  if (!u || typeof u.event_name !== 'string' || !u.message) return null;
  const m = u.message;
  if (m.message_id === undefined || m.from?.id === undefined || m.chat?.id === undefined) return null;
  return u as unknown as ZaloUpdate;
}

export class ZaloChannel implements BotChannel {
  readonly channel = 'zalo' as const;
  readonly botKey: string;
  readonly scope: BotScope;
  readonly client: ZaloClient;
  #options: ZaloBotOptions;
  #stopped = false;

  constructor(options: ZaloBotOptions) {
    this.#options = options;
    this.botKey = options.botKey;
    this.scope = options.scope;
    this.client = new ZaloClient({ token: options.token, apiRoot: options.apiRoot });
  }

  parse(payload: unknown, receivedAt: Date): ChatUpdate | null {
    const u = unwrapZaloUpdate(payload);
    if (!u || u.message.from.is_bot) return null;
    const m = u.message;
    return {
      channel: this.channel,
      botKey: this.botKey,
      updateId: String(m.message_id),
      from: { id: String(m.from.id), displayName: m.from.display_name },
      chat: { id: String(m.chat.id), kind: m.chat.chat_type === 'GROUP' ? 'group' : 'private' },
      // Stickers and unsupported kinds arrive without text: the core answers with short help.
      text:
        u.event_name === 'message.text.received'
          ? m.text
          : u.event_name === 'message.image.received'
            ? m.caption
            : undefined,
      photo:
        u.event_name === 'message.image.received' && m.photo_url
          ? { fileId: m.photo_url, url: m.photo_url }
          : undefined,
      receivedAt,
    };
  }

  async deliver(update: ChatUpdate, replies: Reply[]): Promise<void> {
    for (const reply of replies) {
      for (const text of renderZalo(reply)) await this.client.sendMessage({ chat_id: update.chat.id, text });
    }
  }

  async start(onUpdate: (updateId: string, payload: unknown) => Promise<void>): Promise<void> {
    const { webhook, log } = this.#options;
    if (webhook) {
      await this.client.setWebhook({ url: webhook.url, secret_token: webhook.secret });
      log.info({ bot: this.botKey }, 'zalo webhook registered');
      return;
    }
    await this.client.deleteWebhook().catch(() => {});
    void (async () => {
      while (!this.#stopped) {
        try {
          const u = await this.client.getUpdates({ timeout: 25 });
          if (u && !this.#stopped) await onUpdate(String(u.message.message_id), u);
        } catch (e) {
          if (this.#stopped) break;
          log.warn(
            { bot: this.botKey, error: e instanceof ZaloApiError ? e.message : 'network error' },
            'zalo polling failed; retrying',
          );
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    })();
    log.info({ bot: this.botKey }, 'zalo long polling started');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // A long poll in flight ends by its own timeout; do not wait for it.
  }
}

export class ZaloSender implements ChannelSender {
  readonly channel = 'zalo' as const;
  readonly #bots = new Map<string, ZaloClient>();

  constructor(
    bots: { botKey: string; client: ZaloClient }[],
    private readonly sql: Sql,
  ) {
    for (const b of bots) this.#bots.set(b.botKey, b.client);
  }

  async send(target: SendTarget, payload: OutboundPayload) {
    const client = this.#bots.get(target.botKey);
    if (!client) throw new SendError('permanent', `no zalo bot "${target.botKey}" configured`);
    const ids: string[] = [];
    try {
      for (const text of renderZalo(payload))
        ids.push((await client.sendMessage({ chat_id: target.chatId, text })).message_id);
    } catch (e) {
      if (!(e instanceof ZaloApiError)) throw new SendError('transient', 'network error');
      if (e.httpStatus === 429 || e.errorCode === 429) throw new SendError('rate_limited', 'zalo 429', 1000);
      if (e.httpStatus === 0 || e.httpStatus >= 500) throw new SendError('transient', `zalo ${e.httpStatus}`);
      throw new SendError('permanent', `zalo ${e.errorCode ?? e.httpStatus}: ${e.description}`);
    }
    // So that a reply "1", "2"… to these numbered options resolves.
    if (payload.choices?.length)
      await rememberChoices(
        this.sql,
        { channel: 'zalo', botKey: target.botKey, chatId: target.chatId },
        payload.choices,
      );
    return { providerMessageId: ids.join(',') };
  }
}
