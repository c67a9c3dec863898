/**
 * A fake Telegram Bot API on 127.0.0.1 speaking the real wire format:
 * `POST /bot<token>/<method>` → `{ ok: true, result }` or
 * `{ ok: false, error_code, description, parameters?: { retry_after } }`.
 * Tests push updates (long polling) or deliver them to the registered webhook, read what
 * the bot sent, inject failures, and (for the broadcast bench) enforce Telegram's limits.
 */
import type http from 'node:http';
import { asJson, startFakeServer, waitFor, type Params } from './http.ts';

export interface SentMessage {
  token: string;
  method: string;
  chatId: string;
  text?: string;
  replyMarkup?: {
    inline_keyboard?: { text: string; callback_data?: string; url?: string }[][];
    keyboard?: { text: string }[][];
    remove_keyboard?: boolean;
  };
  /** The uploaded image of a sendPhoto. */
  photo?: Buffer;
  /** Formatting entities of a sendMessage (e.g. bold), as sent. */
  entities?: { type: string; offset: number; length: number }[];
  paidBroadcast: boolean;
  messageId: number;
  at: number;
}

export interface TelegramLimits {
  /** Messages per second per bot (Telegram: about 30). */
  globalPerSecond: number;
  /** With allow_paid_broadcast (up to 1000/s). */
  paidPerSecond: number;
  /** Per private chat (about 1/s). */
  perChatPerSecond: number;
  /** Per group (about 20/min). */
  perGroupPerMinute: number;
}

interface BotState {
  id: number;
  username: string;
  queue: unknown[];
  waiters: (() => void)[];
  webhook: { url: string; secret?: string } | null;
  window: number[];
  chatWindows: Map<string, number[]>;
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);
/** BotCommandScope types of the Bot API (those naming a chat need chat_id). */
const COMMAND_SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);
const MENU_BUTTON_TYPES = new Set(['commands', 'web_app', 'default']);

/** A setMyCommands call as Telegram received it. */
export interface CommandList {
  token: string;
  commands: { command: string; description: string }[];
  /** The scope's type ("default" when none was given). */
  scope: string;
}

/** An answerCallbackQuery as Telegram received it (from a request, or a webhook's response body). */
export interface CallbackAnswer {
  id: string;
  text?: string;
  /** How it arrived: its own request, or run from the body of the webhook response. */
  via: 'request' | 'webhook-response';
  /** Milliseconds from the callback's delivery (its webhook POST or getUpdates) to the answer. */
  afterMs: number;
  at: number;
}

/** Telegram stops accepting an answer to a callback query after about 15 s. */
const CALLBACK_ANSWER_WINDOW_MS = 15_000;

export class FakeTelegram {
  root = '';
  sent: SentMessage[] = [];
  callbacksAnswered: string[] = [];
  callbackAnswers: CallbackAnswer[] = [];
  /** Answers Telegram refused (unknown, answered twice or too late), with its description. */
  callbackAnswerErrors: string[] = [];
  /** Every setMyCommands call, in order. */
  commandLists: CommandList[] = [];
  /** The default menu button set per bot token (setChatMenuButton without a chat). */
  menuButtons = new Map<string, { type: string }>();
  tooManyRequests = 0;
  limits: TelegramLimits | null = null;
  #server?: http.Server;
  #bots = new Map<string, BotState>();
  #blocked = new Set<string>();
  #missing = new Set<string>();
  #failNext: { count: number; status: number; retryAfter?: number } = { count: 0, status: 500 };
  // Update ids are unique across fakes: several fakes in one test file share one database,
  // whose inbox de-duplicates on the platform's id.
  #nextUpdateId = 1000 + Math.floor(Math.random() * 1e9);
  #nextMessageId = 1;
  /** Callback queries issued by callbackUpdate: when each was delivered, and whether answered. */
  #callbacks = new Map<string, { deliveredAt?: number; answered: boolean }>();

  constructor(tokens: string[] = ['123456:TEST-TOKEN']) {
    for (const [i, t] of tokens.entries()) this.addBot(t, `so_tay_test_${i + 1}_bot`);
  }

  addBot(token: string, username: string) {
    this.#bots.set(token, {
      id: 900_000 + this.#bots.size,
      username,
      queue: [],
      waiters: [],
      webhook: null,
      window: [],
      chatWindows: new Map(),
    });
  }

  async start(): Promise<this> {
    const { server, root } = await startFakeServer((path, params) => this.handle(path, params));
    this.#server = server;
    this.root = root;
    return this;
  }

  async close() {
    for (const bot of this.#bots.values()) for (const w of bot.waiters.splice(0)) w();
    await new Promise((r) => this.#server?.close(r));
    this.#server?.closeAllConnections?.();
  }

  // ─── test controls ────────────────────────────────────────────────────────────
  pushUpdate(token: string, update: object) {
    const bot = this.bot(token);
    bot.queue.push(update);
    for (const w of bot.waiters.splice(0)) w();
  }

  webhookOf(token: string) {
    return this.bot(token).webhook;
  }

  /** POSTs an update to the bot's registered webhook as Telegram does; returns the HTTP status. */
  async deliverWebhook(
    token: string,
    update: object,
    secret?: string,
    /** The connection drops before the response arrives: Telegram sees no answer and will re-send. */
    options: { responseLost?: boolean } = {},
  ): Promise<number> {
    const hook = this.bot(token).webhook;
    if (!hook) throw new Error('no webhook registered');
    this.markDelivered([update]);
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret ?? hook.secret ?? '' },
      body: JSON.stringify(update),
    });
    const body = await res.text();
    // As Telegram: a 2xx response whose JSON body names a method is run as a Bot API call.
    if (options.responseLost) return 0;
    if (res.ok) {
      const call = parseJsonObject(body);
      if (call && typeof call.method === 'string') {
        const { method, ...params } = call;
        if (method === 'answerCallbackQuery') this.answerCallback(params, 'webhook-response');
        else await this.handle(`/bot${token}/${method}`, params);
      }
    }
    return res.status;
  }

  private markDelivered(updates: unknown[]) {
    const t = Date.now();
    for (const u of updates) {
      const id = (u as { callback_query?: { id?: string } }).callback_query?.id;
      const known = id ? this.#callbacks.get(id) : undefined;
      if (known && known.deliveredAt === undefined) known.deliveredAt = t;
    }
  }

  /** answerCallbackQuery as the Bot API checks it: a known query, answered once, in time, text ≤ 200. */
  private answerCallback(params: Params, via: CallbackAnswer['via']) {
    const id = String(params.callback_query_id ?? '');
    const text = params.text === undefined ? undefined : String(params.text);
    const known = this.#callbacks.get(id);
    const t = Date.now();
    const late = known?.deliveredAt !== undefined && t - known.deliveredAt > CALLBACK_ANSWER_WINDOW_MS;
    if (!known || known.answered || late) {
      const description = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
      this.callbackAnswerErrors.push(description);
      return error(400, description);
    }
    if (text !== undefined && text.length > 200) {
      this.callbackAnswerErrors.push('Bad Request: MESSAGE_TOO_LONG');
      return error(400, 'Bad Request: MESSAGE_TOO_LONG');
    }
    known.answered = true;
    this.callbacksAnswered.push(id);
    this.callbackAnswers.push({ id, text, via, afterMs: t - (known.deliveredAt ?? t), at: t });
    return ok(true);
  }

  /** The answer to a callback query, once Telegram has it. */
  answerOf(callbackId: string) {
    return this.callbackAnswers.find((a) => a.id === callbackId);
  }

  blockChat(chatId: string | number) {
    this.#blocked.add(String(chatId));
  }
  missingChat(chatId: string | number) {
    this.#missing.add(String(chatId));
  }
  /** The next `count` sends fail with `status` (429: with `retry_after` seconds when given). */
  failNext(count: number, status = 500, retryAfter?: number) {
    this.#failNext = { count, status, retryAfter };
  }

  sentTo(chatId: string | number) {
    return this.sent.filter((m) => m.chatId === String(chatId));
  }

  waitForSent(chatId: string | number, count = 1, timeoutMs = 10_000) {
    return waitFor(
      () => this.sentTo(chatId).length >= count && this.sentTo(chatId),
      timeoutMs,
      `${count} message(s) to ${chatId}`,
    );
  }

  // ─── update builders ──────────────────────────────────────────────────────────
  textUpdate(o: {
    fromId: number;
    chatId?: number;
    chatType?: 'private' | 'group' | 'supergroup';
    text: string;
    firstName?: string;
    title?: string;
  }) {
    const chatId = o.chatId ?? o.fromId;
    const type = o.chatType ?? 'private';
    return {
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        from: { id: o.fromId, is_bot: false, first_name: o.firstName ?? 'Đảng viên', language_code: 'vi' },
        chat:
          type === 'private'
            ? { id: chatId, type, first_name: o.firstName ?? 'Đảng viên' }
            : { id: chatId, type, title: o.title ?? 'Chi bộ' },
        text: o.text,
        ...(o.text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: o.text.split(/\s/)[0].length }] }
          : {}),
      },
    };
  }

  /** A photo sent to the bot (optionally with a caption), as Telegram delivers it. */
  photoUpdate(o: { fromId: number; fileId: string; caption?: string }) {
    return {
      update_id: this.#nextUpdateId++,
      message: {
        message_id: this.#nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        from: { id: o.fromId, is_bot: false, first_name: 'Đảng viên', language_code: 'vi' },
        chat: { id: o.fromId, type: 'private', first_name: 'Đảng viên' },
        photo: [
          { file_id: `${o.fileId}-small`, width: 90, height: 90 },
          { file_id: o.fileId, width: 800, height: 800 },
        ],
        ...(o.caption ? { caption: o.caption } : {}),
      },
    };
  }

  callbackUpdate(o: { fromId: number; chatId?: number; data: string; messageId?: number }) {
    const chatId = o.chatId ?? o.fromId;
    const id = String(this.#nextUpdateId * 7);
    this.#callbacks.set(id, { answered: false });
    return {
      update_id: this.#nextUpdateId++,
      callback_query: {
        id,
        from: { id: o.fromId, is_bot: false, first_name: 'Đảng viên' },
        chat_instance: '1',
        data: o.data,
        message: {
          message_id: o.messageId ?? 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
          text: '…',
        },
      },
    };
  }

  // ─── the API ──────────────────────────────────────────────────────────────────
  private bot(token: string): BotState {
    const bot = this.#bots.get(token);
    if (!bot) throw new Error('unknown token');
    return bot;
  }

  private async handle(path: string, params: Params): Promise<{ status: number; body: unknown }> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(path);
    const bot = m ? this.#bots.get(m[1]) : undefined;
    if (!m || !bot) return error(401, 'Unauthorized');
    const [, token, method] = m;
    if (this.#failNext.count > 0 && SEND_METHODS.has(method)) {
      this.#failNext.count--;
      const { status, retryAfter } = this.#failNext;
      if (status === 429) this.tooManyRequests++;
      if (status === 429 && retryAfter !== undefined)
        return {
          status,
          body: {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${retryAfter}`,
            parameters: { retry_after: retryAfter },
          },
        };
      return error(status, status === 429 ? 'Too Many Requests' : 'Internal Server Error');
    }
    switch (method) {
      case 'getMe':
        return ok({
          id: bot.id,
          is_bot: true,
          first_name: 'Sổ tay Đảng viên',
          username: bot.username,
          can_join_groups: true,
        });
      case 'getUpdates':
        return ok(await this.getUpdates(bot, params));
      case 'setWebhook':
        bot.webhook = {
          url: String(params.url),
          secret: params.secret_token ? String(params.secret_token) : undefined,
        };
        return ok(true);
      case 'deleteWebhook':
        bot.webhook = null;
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: bot.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 });
      case 'answerCallbackQuery':
        return this.answerCallback(params, 'request');
      case 'setMyCommands': {
        const commands = (asJson(params.commands) ?? []) as CommandList['commands'];
        // Telegram's rules: 1–32 characters a-z0-9_, descriptions 1–256 characters, at most 100.
        const bad = commands.find(
          (c) => !/^[a-z0-9_]{1,32}$/.test(c.command) || !c.description || c.description.length > 256,
        );
        if (bad || commands.length > 100) return error(400, 'Bad Request: BOT_COMMAND_INVALID');
        const scope = (asJson(params.scope) as { type?: string } | undefined)?.type ?? 'default';
        if (!COMMAND_SCOPES.has(scope)) return error(400, 'Bad Request: unsupported bot command scope type');
        this.commandLists.push({ token, commands, scope });
        return ok(true);
      }
      case 'getMyCommands': {
        const scope = (asJson(params.scope) as { type?: string } | undefined)?.type ?? 'default';
        const lists = this.commandLists.filter((l) => l.token === token && l.scope === scope);
        return ok(lists.at(-1)?.commands ?? []);
      }
      case 'setChatMenuButton': {
        const button = asJson(params.menu_button) as { type: string } | undefined;
        if (button && !MENU_BUTTON_TYPES.has(button.type))
          return error(400, 'Bad Request: unsupported menu button type');
        if (!params.chat_id) this.menuButtons.set(token, button ?? { type: 'default' });
        return ok(true);
      }
      case 'getChatMenuButton':
        return ok(params.chat_id ? { type: 'default' } : (this.menuButtons.get(token) ?? { type: 'default' }));
      case 'sendChatAction':
        return ok(true);
      case 'sendMessage':
      case 'sendPhoto':
      case 'sendDocument':
        return this.send(token, bot, method, params);
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return ok({
          message_id: Number(params.message_id),
          date: now(),
          chat: { id: Number(params.chat_id), type: 'private' },
        });
      default:
        return error(404, 'Not Found: method not found');
    }
  }

  private async getUpdates(bot: BotState, params: Params) {
    const offset = Number(params.offset ?? 0);
    if (offset) bot.queue = bot.queue.filter((u) => (u as { update_id: number }).update_id >= offset);
    if (bot.queue.length === 0) {
      const timeoutMs = Math.min(Number(params.timeout ?? 0), 2) * 1000;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        bot.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const batch = bot.queue.slice(0, Number(params.limit ?? 100));
    this.markDelivered(batch);
    return batch;
  }

  private send(token: string, bot: BotState, method: string, params: Params) {
    const chatId = String(params.chat_id);
    if (this.#blocked.has(chatId)) return error(403, 'Forbidden: bot was blocked by the user');
    if (this.#missing.has(chatId)) return error(400, 'Bad Request: chat not found');
    const text =
      method === 'sendMessage' ? String(params.text ?? '') : params.caption ? String(params.caption) : undefined;
    if (method === 'sendMessage' && (!text || text.length > 4096))
      return error(400, text ? 'Bad Request: message is too long' : 'Bad Request: message text is empty');
    const entities = asJson(params.entities) as SentMessage['entities'];
    // As the Bot API: an entity outside the text is refused.
    if (entities?.some((e) => e.offset < 0 || e.length < 1 || e.offset + e.length > (text ?? '').length))
      return error(400, "Bad Request: can't parse entities");
    const paid = params.allow_paid_broadcast === true || params.allow_paid_broadcast === 'true';
    const retryAfter = this.limits ? this.overLimit(bot, chatId, paid) : 0;
    if (retryAfter > 0) {
      this.tooManyRequests++;
      return {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        },
      };
    }
    const message = {
      token,
      method,
      chatId,
      text,
      replyMarkup: asJson(params.reply_markup) as SentMessage['replyMarkup'],
      photo: (params.photo as { bytes?: Buffer } | undefined)?.bytes,
      entities,
      paidBroadcast: paid,
      messageId: this.#nextMessageId++,
      at: Date.now(),
    };
    this.sent.push(message);
    return ok({
      message_id: message.messageId,
      date: now(),
      chat: { id: Number(chatId), type: Number(chatId) < 0 ? 'group' : 'private' },
      text,
      reply_markup: message.replyMarkup,
    });
  }

  /** Seconds to wait when a send would break a limit, else 0 (and the send is counted). */
  private overLimit(bot: BotState, chatId: string, paid: boolean): number {
    const limits = this.limits!;
    const t = Date.now();
    bot.window = bot.window.filter((x) => t - x < 1000);
    const global = paid ? limits.paidPerSecond : limits.globalPerSecond;
    const group = Number(chatId) < 0;
    const span = group ? 60_000 : 1000;
    const perChat = group ? limits.perGroupPerMinute : limits.perChatPerSecond;
    const chat = (bot.chatWindows.get(chatId) ?? []).filter((x) => t - x < span);
    // As Telegram: retry_after is the whole seconds until the send would be allowed.
    const waits = [
      bot.window.length >= global ? bot.window[bot.window.length - global] + 1000 - t : 0,
      chat.length >= perChat ? chat[chat.length - perChat] + span - t : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    bot.window.push(t);
    chat.push(t);
    bot.chatWindows.set(chatId, chat);
    return 0;
  }
}

const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
const error = (code: number, description: string) => ({
  status: code,
  body: { ok: false, error_code: code, description },
});
const now = () => Math.floor(Date.now() / 1000);

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
