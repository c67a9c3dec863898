/**
 * A fake Zalo Bot Platform API on 127.0.0.1, in the real wire format: POST JSON to
 * `/bot<token>/<method>`, answers `{ ok, result }` / `{ ok: false, error_code, description }`;
 * getUpdates long-polls and returns one update `{ event_name, message }`; webhooks carry
 * the secret in `X-Bot-Api-Secret-Token`.
 */
import type http from 'node:http';
import { startFakeServer, waitFor, type Params } from './http.ts';

export interface ZaloSent {
  token: string;
  chatId: string;
  text: string;
  at: number;
}

interface BotState {
  queue: unknown[];
  waiters: (() => void)[];
  webhook: { url: string; secret: string } | null;
}

export class FakeZalo {
  root = '';
  sent: ZaloSent[] = [];
  /** sendChatAction calls (e.g. "typing"), in order. */
  chatActions: { chatId: string; action: string; at: number }[] = [];
  #server?: http.Server;
  #bots = new Map<string, BotState>();
  #nextMessageId = 1;
  // Message ids are unique across fakes: several fakes in one test file share one database,
  // whose inbox de-duplicates on the platform's id.
  readonly #idPrefix = Math.random().toString(36).slice(2, 8);
  #blocked = new Set<string>();

  constructor(tokens: string[] = ['zalo-test-token']) {
    for (const t of tokens) this.#bots.set(t, { queue: [], waiters: [], webhook: null });
  }

  async start(): Promise<this> {
    const { server, root } = await startFakeServer((path, params) => this.handle(path, params));
    this.#server = server;
    this.root = root;
    return this;
  }

  async close() {
    for (const b of this.#bots.values()) for (const w of b.waiters.splice(0)) w();
    await new Promise((r) => this.#server?.close(r));
    this.#server?.closeAllConnections?.();
  }

  pushUpdate(token: string, update: object) {
    const bot = this.#bots.get(token)!;
    bot.queue.push(update);
    for (const w of bot.waiters.splice(0)) w();
  }

  webhookOf(token: string) {
    return this.#bots.get(token)!.webhook;
  }

  async deliverWebhook(token: string, update: object, secret?: string): Promise<number> {
    const hook = this.#bots.get(token)!.webhook;
    if (!hook) throw new Error('no webhook registered');
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bot-api-secret-token': secret ?? hook.secret },
      body: JSON.stringify(update),
    });
    await res.text();
    return res.status;
  }

  blockChat(chatId: string) {
    this.#blocked.add(chatId);
  }

  sentTo(chatId: string) {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  waitForSent(chatId: string, count = 1, timeoutMs = 10_000) {
    return waitFor(
      () => this.sentTo(chatId).length >= count && this.sentTo(chatId),
      timeoutMs,
      `${count} Zalo message(s) to ${chatId}`,
    );
  }

  textUpdate(o: {
    userId: string;
    chatId?: string;
    chatType?: 'PRIVATE' | 'GROUP';
    text: string;
    displayName?: string;
  }) {
    return this.update('message.text.received', o, { text: o.text });
  }

  /** A photo sent to the bot, as Zalo delivers it (a URL to the image, an optional caption). */
  imageUpdate(o: { userId: string; photoUrl: string; caption?: string }) {
    return this.update('message.image.received', o, { photo_url: o.photoUrl, caption: o.caption });
  }

  stickerUpdate(o: { userId: string; chatId?: string }) {
    return this.update('message.sticker.received', o, { sticker: 'sticker-id' });
  }

  private update(
    event: string,
    o: { userId: string; chatId?: string; chatType?: 'PRIVATE' | 'GROUP'; displayName?: string },
    extra: object,
  ) {
    return {
      event_name: event,
      message: {
        from: { id: o.userId, display_name: o.displayName ?? 'Đảng viên', is_bot: false },
        chat: { id: o.chatId ?? o.userId, chat_type: o.chatType ?? 'PRIVATE' },
        message_id: `zmsg-${this.#idPrefix}-${this.#nextMessageId++}`,
        date: Date.now(),
        ...extra,
      },
    };
  }

  private async handle(path: string, params: Params): Promise<{ status: number; body: unknown }> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(path);
    const bot = m ? this.#bots.get(m[1]) : undefined;
    if (!m || !bot) return fail(401, 'Unauthorized');
    switch (m[2]) {
      case 'getMe':
        return ok({ id: 'bot-1', account_name: 'so_tay_bot', display_name: 'Sổ tay Đảng viên' });
      case 'getUpdates': {
        if (bot.queue.length === 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, Math.min(Number(params.timeout ?? 0), 2) * 1000);
            bot.waiters.push(() => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        const next = bot.queue.shift();
        // The platform answers an empty poll with an error, not an empty result.
        return next ? ok(next) : fail(408, 'Request timeout');
      }
      case 'setWebhook':
        bot.webhook = { url: String(params.url), secret: String(params.secret_token ?? '') };
        return ok({ url: bot.webhook.url, updated_at: Date.now() });
      case 'deleteWebhook':
        bot.webhook = null;
        return ok({ url: '', updated_at: Date.now() });
      case 'getWebhookInfo':
        return ok({ url: bot.webhook?.url ?? '', updated_at: Date.now() });
      case 'sendChatAction': {
        const action = String(params.action ?? '');
        if (!params.chat_id || !['typing', 'upload_photo'].includes(action))
          return fail(400, 'Bad Request: invalid chat action');
        this.chatActions.push({ chatId: String(params.chat_id), action, at: Date.now() });
        return ok(true);
      }
      case 'sendMessage':
      case 'sendPhoto': {
        const chatId = String(params.chat_id ?? '');
        if (this.#blocked.has(chatId)) return fail(403, 'Forbidden: user blocked the bot');
        const text = String(params.text ?? params.caption ?? '');
        if (m[2] === 'sendMessage' && (!text || text.length > 2000))
          return fail(400, 'Bad Request: text must be 1-2000 characters');
        this.sent.push({ token: m[1], chatId, text, at: Date.now() });
        return ok({ message_id: `zsent-${this.#nextMessageId++}`, date: Date.now() });
      }
      default:
        return fail(404, 'Not Found');
    }
  }
}

const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
const fail = (code: number, description: string) => ({
  status: code === 408 ? 200 : code,
  body: { ok: false, error_code: code, description },
});
