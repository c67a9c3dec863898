/**
 * Telegram, through telegraf's typed Bot API client. This is the only file that imports
 * telegraf: swapping the library means rewriting this file alone.
 */
import { Input, Telegram, TelegramError } from 'telegraf';
import QRCode from 'qrcode';
import type { Logger } from 'pino';
import type { BotChannel } from '../channel.ts';
import type { BotScope } from '../core/conversation.ts';
import type { Reply } from '../core/reply.ts';
import type { ChatUpdate } from '../core/update.ts';
import { SendError, type ChannelSender, type SendTarget } from '../../api/outbox/sender.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { renderTelegram } from './render.ts';

export interface TelegramBotOptions {
  botKey: string;
  token: string;
  apiRoot?: string;
  scope: BotScope;
  /** Webhook mode when set; long polling otherwise. */
  webhook?: { url: string; secret: string };
  log: Logger;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const POLL_TIMEOUT_S = 25;

function client(token: string, apiRoot?: string) {
  return new Telegram(token, { apiRoot: apiRoot ?? 'https://api.telegram.org', webhookReply: false });
}

export class TelegramChannel implements BotChannel {
  readonly channel = 'telegram' as const;
  readonly botKey: string;
  readonly scope: BotScope;
  readonly telegram: Telegram;
  #options: TelegramBotOptions;
  #polling?: AbortController;
  #loop?: Promise<void>;
  /** The bot's @username (from getMe at start), for deep links in QR codes. */
  #username?: string;

  constructor(options: TelegramBotOptions) {
    this.#options = options;
    this.botKey = options.botKey;
    this.scope = options.scope;
    this.telegram = client(options.token, options.apiRoot);
  }

  parse(payload: unknown, receivedAt: Date): ChatUpdate | null {
    const u = payload as TelegramUpdate;
    const base = { channel: this.channel, botKey: this.botKey, updateId: String(u.update_id), receivedAt };
    if (u.callback_query) {
      const q = u.callback_query;
      const chat = q.message?.chat ?? { id: q.from.id, type: 'private' };
      return { ...base, from: person(q.from), chat: chatOf(chat), choice: q.data ?? '', interactionId: q.id };
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

  async deliver(update: ChatUpdate, replies: Reply[]): Promise<void> {
    if (update.interactionId) await this.telegram.answerCbQuery(update.interactionId).catch(() => {});
    for (const reply of replies) await sendTo(this.telegram, update.chat.id, reply, { username: this.#username });
  }

  async start(onUpdate: (updateId: string, payload: unknown) => Promise<void>): Promise<void> {
    const { webhook, log } = this.#options;
    this.#username = (await this.telegram.getMe().catch(() => undefined))?.username;
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
    const signal = this.#polling.signal;
    this.#loop = (async () => {
      let offset = 0;
      while (!signal.aborted) {
        try {
          const updates = await this.telegram.callApi(
            'getUpdates',
            { timeout: POLL_TIMEOUT_S, offset, allowed_updates: [...ALLOWED_UPDATES] },
            { signal: signal as never },
          );
          for (const u of updates) {
            await onUpdate(String(u.update_id), u);
            offset = u.update_id + 1;
          }
        } catch (e) {
          if (signal.aborted) break;
          log.warn({ bot: this.botKey, error: describe(e) }, 'telegram polling failed; retrying');
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    })();
    log.info({ bot: this.botKey }, 'telegram long polling started');
  }

  async stop(): Promise<void> {
    this.#polling?.abort();
    await this.#loop?.catch(() => {});
  }
}

/** Sends outbox messages through the right Telegram bot, classifying failures for retries. */
export class TelegramSender implements ChannelSender {
  readonly channel = 'telegram' as const;
  readonly #bots = new Map<string, Telegram>();

  constructor(bots: { botKey: string; telegram: Telegram }[]) {
    for (const b of bots) this.#bots.set(b.botKey, b.telegram);
  }

  async send(target: SendTarget, payload: OutboundPayload) {
    const telegram = this.#bots.get(target.botKey);
    if (!telegram) throw new SendError('permanent', `no telegram bot "${target.botKey}" configured`);
    try {
      const ids = await sendTo(telegram, target.chatId, payload, { paidBroadcast: target.paidBroadcast });
      return { providerMessageId: ids.join(',') };
    } catch (e) {
      throw classify(e);
    }
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
    const sent = await telegram.sendPhoto(chatId, Input.fromBuffer(png, 'qr.png'), { caption: reply.qr.caption });
    ids.push(sent.message_id);
  }
  for (const part of renderTelegram(reply)) {
    const sent = await telegram.sendMessage(chatId, part.text, {
      reply_markup: part.reply_markup,
      link_preview_options: { is_disabled: true },
      ...(paidBroadcast ? { allow_paid_broadcast: true } : {}),
    });
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
