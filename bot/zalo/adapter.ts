/**
 * Zalo Bot Platform: updates in (polling or webhook), messages out through ZaloClient. It
 * writes nothing itself: numbered choices are remembered by the outbox when a message is sent.
 */
import { pollLoop, type BotChannel, type BotConfig, type BotContext, type ChannelModule } from '../channel.ts';
import type { BotScope } from '../core/command.ts';
import type { ChatUpdate } from '../core/update.ts';
import { SendError, type SendTarget } from '../../api/outbox/sender.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { verifyZaloSecret, ZaloApiError, ZaloClient, type ZaloUpdate } from './client.ts';
import { renderZalo } from './render.ts';

const SECRET_HEADER = 'x-bot-api-secret-token';
const POLL_TIMEOUT_S = 25;

/** Zalo as a channel: see bot/channel.ts for what each part is for. */
export const zaloModule: ChannelModule = {
  name: 'zalo',
  envPrefix: 'ZALO',
  // Zalo publishes no limits: a conservative default.
  limits: { perSecond: 10, paidPerSecond: 10, privateChatGapMs: 1000, groupChatGapMs: 3000 },
  replies: 'push',
  numberedChoices: true,
  identify(body) {
    const u = unwrapZaloUpdate(body);
    return u ? { updateId: String(u.message.message_id), chatId: String(u.message.chat.id) } : null;
  },
  verifyWebhook: ({ headers }, secret) => verifyZaloSecret(headers[SECRET_HEADER], secret),
  createBot: (config, scope, context) => new ZaloChannel(config, scope, context),
};

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
  #context: BotContext;
  #polling?: AbortController;

  constructor(config: BotConfig, scope: BotScope, context: BotContext) {
    this.#context = context;
    this.botKey = config.key;
    this.scope = scope;
    this.client = new ZaloClient({ token: config.token, apiRoot: context.apiRoot });
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

  /**
   * Zalo has no buttons and nothing like answerCallbackQuery: a "tap" is a digit typed for a
   * numbered option. The nearest acknowledgement without a message is the chat action
   * "typing" (sendChatAction), which shows the member at once that the bot got it; the
   * answer follows through the outbox. Sent only for a bare 1–2 digit answer, not fired for
   * every message, and not awaited: the webhook is answered without waiting for Zalo.
   */
  async acknowledgeReceipt(payload: unknown): Promise<undefined> {
    const u = unwrapZaloUpdate(payload);
    if (u?.event_name !== 'message.text.received' || !/^\s*\d{1,2}\s*$/.test(u.message.text ?? '')) return;
    void this.client
      .sendChatAction({ chat_id: String(u.message.chat.id), action: 'typing' })
      .catch((e) => this.#context.log.warn({ bot: this.botKey, error: describeZalo(e) }, 'zalo chat action failed'));
  }

  async send(target: SendTarget, payload: OutboundPayload) {
    const ids: string[] = [];
    try {
      for (const text of renderZalo(payload))
        ids.push((await this.client.sendMessage({ chat_id: target.chatId, text })).message_id);
    } catch (e) {
      if (!(e instanceof ZaloApiError)) throw new SendError('transient', 'network error');
      if (e.httpStatus === 429 || e.errorCode === 429) throw new SendError('rate_limited', 'zalo 429', 1000);
      if (e.httpStatus === 0 || e.httpStatus >= 500) throw new SendError('transient', `zalo ${e.httpStatus}`);
      throw new SendError('permanent', `zalo ${e.errorCode ?? e.httpStatus}: ${e.description}`);
    }
    return { providerMessageId: ids.join(',') };
  }

  async start(onUpdate: (payload: unknown) => Promise<void>): Promise<void> {
    const { webhook, log } = this.#context;
    if (webhook) {
      await this.client.setWebhook({ url: webhook.url, secret_token: webhook.secret });
      log.info({ bot: this.botKey }, 'zalo webhook registered');
      return;
    }
    await this.client.deleteWebhook().catch(() => {});
    this.#polling = new AbortController();
    // A long poll in flight ends by its own timeout; stop() does not wait for it.
    void pollLoop({
      label: { bot: this.botKey, channel: this.channel },
      log,
      signal: this.#polling.signal,
      fetch: async () => {
        const u = await this.client.getUpdates({ timeout: POLL_TIMEOUT_S });
        return u ? [u] : [];
      },
      onUpdate,
      describe: describeZalo,
    });
    log.info({ bot: this.botKey }, 'zalo long polling started');
  }

  async stop(): Promise<void> {
    this.#polling?.abort();
  }
}

/** A failure without the request URL (it carries the bot token). */
const describeZalo = (e: unknown) => (e instanceof ZaloApiError ? e.message : 'network error');
