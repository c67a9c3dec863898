/**
 * Telegram, through telegraf's typed Bot API client. This is the only file that imports
 * telegraf: swapping the library means rewriting this file alone.
 */
import { Input, Telegram, TelegramError } from 'telegraf';
import QRCode from 'qrcode';
import {
  pollLoop,
  type BotChannel,
  type BotConfig,
  type BotContext,
  type ChannelModule,
  type WebhookReply,
} from '../channel.ts';
import { constantTimeEqual } from '../webhook-secret.ts';
import type { BotScope } from '../core/command.ts';
import type { Reply } from '../core/reply.ts';
import type { ChatUpdate } from '../core/update.ts';
import { tapAcknowledgement } from '../core/tap-ack.ts';
import { SendError, type SendTarget } from '../../api/outbox/sender.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { renderTelegram } from './render.ts';
import { registerCommandMenu } from './commands-menu.ts';

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const POLL_TIMEOUT_S = 25;
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/**
 * A send that has not been answered by then counts as a network error (retried with backoff).
 * Telegraf's own limit is 500 s, and the send worker keeps the message's lease alive while it
 * waits: one hung connection would otherwise hold its message for that long.
 */
const SEND_TIMEOUT_MS = 30_000;
/** Telegram stops waiting for a callback answer after some seconds: a late one is useless. */
const ACK_TIMEOUT_MS = 5_000;

function client(token: string, apiRoot?: string) {
  return new Telegram(token, { apiRoot: apiRoot ?? 'https://api.telegram.org', webhookReply: false });
}

/** Telegram as a channel: see bot/channel.ts for what each part is for. */
export const telegramModule: ChannelModule = {
  name: 'telegram',
  envPrefix: 'TELEGRAM',
  // ~30 messages/s per bot, paid broadcast up to 1000/s, ~1/s per private chat, 20/min per group.
  limits: { perSecond: 30, paidPerSecond: 1000, privateChatGapMs: 1000, groupChatGapMs: 3000 },
  replies: 'push',
  numberedChoices: false,
  identify(body) {
    const u = body as TelegramUpdate | null;
    if (typeof body !== 'object' || !Number.isSafeInteger(u?.update_id)) return null;
    const chat = u!.message?.chat.id ?? u!.callback_query?.message?.chat.id ?? u!.callback_query?.from.id;
    return { updateId: String(u!.update_id), chatId: chat === undefined ? null : String(chat) };
  },
  verifyWebhook: ({ headers }, secret) => {
    const given = headers[SECRET_HEADER];
    return constantTimeEqual(typeof given === 'string' ? given : '', secret);
  },
  createBot: (config, scope, context) => new TelegramChannel(config, scope, context),
};

export class TelegramChannel implements BotChannel {
  readonly channel = 'telegram' as const;
  readonly botKey: string;
  readonly scope: BotScope;
  readonly telegram: Telegram;
  #context: BotContext;
  #polling?: AbortController;
  #loop?: Promise<void>;
  /** The bot's @username (from getMe at start), for deep links: QR codes and t.me URL buttons. */
  #username?: string;

  constructor(config: BotConfig, scope: BotScope, context: BotContext) {
    this.#context = context;
    this.botKey = config.key;
    this.scope = scope;
    this.telegram = client(config.token, context.apiRoot);
  }

  parse(payload: unknown, receivedAt: Date): ChatUpdate | null {
    const u = payload as TelegramUpdate;
    const base = { channel: this.channel, botKey: this.botKey, updateId: String(u.update_id), receivedAt };
    if (u.callback_query) {
      const q = u.callback_query;
      const chat = q.message?.chat ?? { id: q.from.id, type: 'private' };
      return { ...base, from: person(q.from), chat: chatOf(chat), choice: q.data ?? '' };
    }
    const m = u.message;
    if (!m?.from || m.from.is_bot) return null;
    const photo = m.photo?.at(-1);
    return {
      ...base,
      from: person(m.from),
      chat: chatOf(m.chat),
      text: m.text ?? m.caption,
      photo: photo ? { fileId: photo.file_id } : undefined,
    };
  }

  /**
   * A button press is answered with answerCallbackQuery as soon as it is stored: a short toast
   * ("Đã ghi nhận phiếu", never the choice) or none, and the phone's spinner stops. Through a
   * webhook it is the response body (Telegram runs it; no request of ours, nothing to wait for);
   * when polling, one call. Not a message: it takes none of the bot's 30/s.
   */
  async acknowledgeReceipt(payload: unknown, via: 'webhook' | 'poll'): Promise<WebhookReply | undefined> {
    const q = (payload as TelegramUpdate).callback_query;
    if (!q || typeof q.id !== 'string') return undefined;
    const text = tapAcknowledgement(typeof q.data === 'string' ? q.data : '');
    const params = { callback_query_id: q.id, ...(text ? { text } : {}) };
    if (via === 'webhook') return { method: 'answerCallbackQuery', ...params };
    await this.telegram
      .callApi('answerCallbackQuery', params, { signal: AbortSignal.timeout(ACK_TIMEOUT_MS) as never })
      .catch((e) => this.#context.log.warn({ bot: this.botKey, error: describe(e) }, 'callback answer failed'));
    return undefined;
  }

  async send(target: SendTarget, payload: OutboundPayload) {
    try {
      // A send worker in its own process never ran start(): ask for the @username once.
      if ((payload.qr?.start || payload.deepLink) && this.#username === undefined)
        this.#username = (await this.telegram.getMe().catch(() => undefined))?.username ?? '';
      const ids = await sendTo(this.telegram, target.chatId, payload, {
        paidBroadcast: target.paidBroadcast,
        username: this.#username || undefined,
      });
      return { providerMessageId: ids.join(',') };
    } catch (e) {
      throw classify(e);
    }
  }

  async start(onUpdate: (payload: unknown) => Promise<void>): Promise<void> {
    const { webhook, log } = this.#context;
    this.#username = (await this.telegram.getMe().catch(() => undefined))?.username;
    await registerCommandMenu(this.telegram, log, this.botKey);
    if (webhook) {
      await this.telegram.setWebhook(webhook.url, {
        secret_token: webhook.secret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      log.info({ bot: this.botKey }, 'telegram webhook registered');
      return;
    }
    await this.telegram.deleteWebhook();
    this.#polling = new AbortController();
    let offset = 0;
    this.#loop = pollLoop({
      label: { bot: this.botKey, channel: this.channel },
      log,
      signal: this.#polling.signal,
      fetch: (signal) =>
        this.telegram.callApi(
          'getUpdates',
          { timeout: POLL_TIMEOUT_S, offset, allowed_updates: [...ALLOWED_UPDATES] },
          { signal: signal as never },
        ),
      onUpdate,
      after: (batch) => {
        const last = batch.at(-1) as { update_id: number } | undefined;
        if (last) offset = last.update_id + 1;
      },
      describe,
    });
    log.info({ bot: this.botKey }, 'telegram long polling started');
  }

  async stop(): Promise<void> {
    this.#polling?.abort();
    await this.#loop?.catch(() => {});
  }
}

async function sendTo(
  telegram: Telegram,
  chatId: string,
  reply: Reply | OutboundPayload,
  { paidBroadcast = false, username }: { paidBroadcast?: boolean; username?: string },
): Promise<number[]> {
  const ids: number[] = [];
  if ('qr' in reply && reply.qr) {
    // A deep link opens the bot and sends "/start <payload>": scanning is enough to act.
    const content = username && reply.qr.start ? `https://t.me/${username}?start=${reply.qr.start}` : reply.qr.text;
    const png = await QRCode.toBuffer(content, { width: 360, margin: 2 });
    const sent = await telegram.callApi(
      'sendPhoto',
      { chat_id: chatId, photo: Input.fromBuffer(png, 'qr.png'), caption: reply.qr.caption },
      { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) as never },
    );
    ids.push(sent.message_id);
  }
  for (const part of renderTelegram(reply, { username })) {
    const sent = await telegram.callApi(
      'sendMessage',
      {
        chat_id: chatId,
        text: part.text,
        reply_markup: part.reply_markup,
        ...(part.entities ? { entities: part.entities } : {}),
        link_preview_options: { is_disabled: true },
        ...(paidBroadcast ? { allow_paid_broadcast: true } : {}),
      },
      { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) as never },
    );
    ids.push(sent.message_id);
  }
  return ids;
}

function classify(e: unknown): SendError {
  if (e instanceof TelegramError) {
    const retryAfter = e.parameters?.retry_after;
    if (e.code === 429) return new SendError('rate_limited', 'telegram 429', (retryAfter ?? 1) * 1000);
    if (e.code === 403) return new SendError('permanent', `telegram 403: ${e.description}`);
    if (e.code === 400) return new SendError('permanent', `telegram 400: ${e.description}`);
    if (e.code >= 500) return new SendError('transient', `telegram ${e.code}`);
    return new SendError('permanent', `telegram ${e.code}: ${e.description}`);
  }
  return new SendError('transient', describe(e));
}

/** A failure described without the request URL (it carries the bot token). */
function describe(e: unknown): string {
  if (e instanceof TelegramError) return `telegram ${e.code}: ${e.description}`;
  const err = e as { code?: string; name?: string };
  return `network error ${err.code ?? err.name ?? ''}`.trim();
}

const person = (u: { id: number; first_name?: string; last_name?: string }) => ({
  id: String(u.id),
  displayName: [u.first_name, u.last_name].filter(Boolean).join(' ') || undefined,
});

const chatOf = (c: { id: number; type: string; title?: string }) => ({
  id: String(c.id),
  kind: c.type === 'private' ? ('private' as const) : ('group' as const),
  title: c.title,
});

interface TelegramUpdate {
  update_id: number;
  message?: {
    message_id: number;
    from?: { id: number; is_bot?: boolean; first_name?: string; last_name?: string };
    chat: { id: number; type: string; title?: string };
    text?: string;
    caption?: string;
    photo?: { file_id: string }[];
  };
  callback_query?: {
    id: string;
    from: { id: number; first_name?: string; last_name?: string };
    message?: { chat: { id: number; type: string; title?: string } };
    data?: string;
  };
}
