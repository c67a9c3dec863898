/**
 * Runs the real service (HTTP server + bots) against the fake Telegram and Zalo servers,
 * and gives tests one driver per channel with the same verbs, so a conversation test is
 * written once and runs on Telegram (polling and webhook), Zalo (polling and webhook) and
 * the web chat.
 */
import type { Deps } from '../../api/context.ts';
import type { Db } from '../../api/db/connect.ts';
import { buildServer, type App } from '../../api/server.ts';
import { createBots, type RunningBots } from '../../bot/bots.ts';
import type { ChannelModule } from '../../bot/channel.ts';
import { startOutboxWorker } from '../../api/outbox/worker.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { FakeZalo } from '../fakes/zalo-api.ts';
import { waitFor } from '../fakes/http.ts';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { freePort } from './spawn-service.ts';
import { createTestDb, type TestDb } from './db.ts';
import { testDeps } from './app.ts';

export interface Running {
  app: App;
  bots: RunningBots;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startServiceWithBots(
  deps: Deps,
  env: Record<string, string>,
  webhooks: boolean,
  modules?: readonly ChannelModule[],
  /** Listen here (e.g. the port `deps.config.port` names, so links in messages lead to this service). */
  listenPort?: number,
): Promise<Running> {
  const port = listenPort ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const withUrl = { ...deps, config: { ...deps.config, publicUrl: webhooks ? baseUrl : null } };
  let outbox: ReturnType<typeof startOutboxWorker> | undefined;
  const bots = createBots(withUrl, env, { modules, inbox: { onReplies: () => outbox?.kick() } });
  const app = await buildServer(withUrl, { plugins: bots.plugins });
  await app.listen({ port, host: '127.0.0.1' });
  await bots.start();
  // Tests need no pacing between messages to one chat; the broadcast bench measures the limits.
  const noGap = { privateChatGapMs: 0, groupChatGapMs: 0 };
  outbox = startOutboxWorker(withUrl, bots.senders, { idlePollMs: 50, limits: { telegram: noGap, zalo: noGap } });
  return {
    app,
    bots,
    baseUrl,
    async close() {
      await bots.stop();
      await outbox?.stop();
      await app.close();
    },
  };
}

/** What every bot test file starts with: its database, its dependencies and both fakes. */
export interface HarnessBase {
  t: TestDb;
  deps: Deps;
  telegram: FakeTelegram;
  zalo: FakeZalo;
}

export interface BotHarness extends HarnessBase {
  /** The service with its bots, on the test database, against the fakes. */
  svc: Running;
  /**
   * Drivers of the default bots (long polling): the first Telegram token as the bot
   * "telegram", the first Zalo token as "zalo" — absent when `env` configures the bots.
   */
  tg?: ChannelDriver;
  zl?: ChannelDriver;
  /** The web chat of `svc`. */
  web: WebDriver;
  /** One more service on the same database and fakes (e.g. with webhooks); closed with the rest. */
  startService(env: Record<string, string>, webhooks: boolean): Promise<Running>;
  /** Stops the services, then the fakes, then the database. */
  close(): Promise<void>;
}

export interface BotHarnessOptions {
  /** Tokens of the fake Telegram's bots. */
  telegram?: string[];
  /** Tokens of the fake Zalo's bots. */
  zalo?: string[];
  /** The service's dependencies on the test database (default: `testDeps`). */
  deps?: (db: Db) => Deps;
  /**
   * The bots' configuration (e.g. `BOTS` with organisations), instead of one bot per channel
   * from the first token of each; it may create data first. The fakes' API roots are added.
   */
  env?: (h: HarnessBase) => Record<string, string> | Promise<Record<string, string>>;
  webhooks?: boolean;
  /** The first service's port (default: a free one). */
  port?: number;
}

/**
 * Starts a test database, the fake Telegram and Zalo servers and the service with its bots,
 * and returns drivers and one `close` for all of it — the setup every bot e2e file shares.
 */
export async function startBotHarness(o: BotHarnessOptions = {}): Promise<BotHarness> {
  const t = await createTestDb();
  const deps = o.deps ? o.deps(t.db) : testDeps(t.db);
  const telegram = await new FakeTelegram(o.telegram ?? []).start();
  const zalo = await new FakeZalo(o.zalo ?? []).start();
  const base: HarnessBase = { t, deps, telegram, zalo };
  const roots = { TELEGRAM_API_ROOT: telegram.root, ZALO_API_ROOT: zalo.root };
  const services: Running[] = [];
  const startService = async (env: Record<string, string>, webhooks: boolean, port?: number) => {
    const running = await startServiceWithBots(deps, { ...roots, ...env }, webhooks, undefined, port);
    services.push(running);
    return running;
  };
  const [tgToken] = o.telegram ?? [];
  const [zaloToken] = o.zalo ?? [];
  const env = o.env
    ? await o.env(base)
    : {
        ...(tgToken ? { TELEGRAM_BOT_TOKEN: tgToken } : {}),
        ...(zaloToken ? { ZALO_BOT_TOKEN: zaloToken } : {}),
      };
  const svc = await startService(env, o.webhooks ?? false, o.port);
  const mode = o.webhooks ? 'webhook' : 'polling';
  return {
    ...base,
    svc,
    tg: !o.env && tgToken ? telegramDriver(deps, telegram, tgToken, 'telegram', mode) : undefined,
    zl: !o.env && zaloToken ? zaloDriver(deps, zalo, zaloToken, 'zalo', mode) : undefined,
    web: webDriver(svc.baseUrl),
    startService,
    async close() {
      for (const s of services) await s.close();
      await telegram.close();
      await zalo.close();
      await t.close();
    },
  };
}

/** A person on a chat platform. */
export interface Person {
  id: string;
}

export interface ChannelDriver {
  name: string;
  channel: 'telegram' | 'zalo' | 'web';
  /** Sends text from a person (privately, or in a group) and returns the bot's replies. */
  say(person: Person, text: string, group?: { id: string }): Promise<string[]>;
  /** Picks a choice the bot offered in its last reply (button or number). */
  choose(person: Person, label: string): Promise<string[]>;
  /** Everything sent to this chat so far. */
  received(chatId: string): string[];
}

/** Until the update is processed and its replies (queued in the outbox) are sent. */
export async function waitProcessed(deps: Deps, channel: string, botKey: string, updateId: string) {
  for (let i = 0; i < 500; i++) {
    const rows = await deps.db.query(
      `select u.processed_at,
              (select count(*)::int from outbox_messages o
                where o.inbound_id = u.id and o.status in ('queued', 'sending')) as unsent
         from inbound_updates u where channel = $1 and bot_key = $2 and update_id = $3`,
      [channel, botKey, updateId],
    );
    if (rows[0]?.processed_at && rows[0].unsent === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`update ${updateId} was not processed`);
}

export function telegramDriver(
  deps: Deps,
  fake: FakeTelegram,
  token: string,
  botKey: string,
  mode: 'polling' | 'webhook',
): ChannelDriver {
  const groupChat = (id: string) => -Math.abs(Number(id));
  const lastMarkup = new Map<string, { text: string; callback_data?: string }[]>();
  const run = async (chatId: string, update: { update_id: number }) => {
    const before = fake.sentTo(chatId).length;
    if (mode === 'polling') fake.pushUpdate(token, update);
    else {
      const status = await fake.deliverWebhook(token, update);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
    await waitProcessed(deps, 'telegram', botKey, String(update.update_id));
    const fresh = fake.sentTo(chatId).slice(before);
    const withButtons = fresh.filter((m) => m.replyMarkup?.inline_keyboard).at(-1);
    if (withButtons) lastMarkup.set(chatId, withButtons.replyMarkup!.inline_keyboard!.flat());
    return fresh.map((m) => m.text ?? '');
  };
  return {
    name: `telegram ${mode}`,
    channel: 'telegram',
    say(person, text, group) {
      const chatId = group ? groupChat(group.id) : Number(person.id);
      return run(
        String(chatId),
        fake.textUpdate({ fromId: Number(person.id), chatId, chatType: group ? 'supergroup' : 'private', text }),
      );
    },
    choose(person, label) {
      const button = lastMarkup.get(person.id)?.find((b) => b.text === label);
      if (!button?.callback_data) throw new Error(`no button "${label}"`);
      return run(person.id, fake.callbackUpdate({ fromId: Number(person.id), data: button.callback_data }));
    },
    received: (chatId) => fake.sentTo(chatId).map((m) => m.text ?? ''),
  };
}

export function zaloDriver(
  deps: Deps,
  fake: FakeZalo,
  token: string,
  botKey: string,
  mode: 'polling' | 'webhook',
): ChannelDriver {
  const lastOptions = new Map<string, string[]>();
  const run = async (chatId: string, update: { message: { message_id: string } }) => {
    const before = fake.sentTo(chatId).length;
    if (mode === 'polling') fake.pushUpdate(token, update);
    else {
      const status = await fake.deliverWebhook(token, update);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
    await waitProcessed(deps, 'zalo', botKey, update.message.message_id);
    const fresh = fake
      .sentTo(chatId)
      .slice(before)
      .map((m) => m.text);
    const numbered = fresh.filter((t) => t.includes('Trả lời bằng số:')).at(-1);
    if (numbered)
      lastOptions.set(
        chatId,
        numbered
          .split('Trả lời bằng số:\n')[1]
          .split('\n')
          // A long message is split in numbered parts: the last option may carry " (2/2)".
          .map((l) => l.replace(/^\d+\. /, '').replace(/ \(\d+\/\d+\)$/, '')),
      );
    return fresh;
  };
  return {
    name: `zalo ${mode}`,
    channel: 'zalo',
    say(person, text, group) {
      const chatId = group ? `g${group.id}` : person.id;
      return run(chatId, fake.textUpdate({ userId: person.id, chatId, chatType: group ? 'GROUP' : 'PRIVATE', text }));
    },
    choose(person, label) {
      const index = lastOptions.get(person.id)?.indexOf(label) ?? -1;
      if (index < 0) throw new Error(`no option "${label}"`);
      return run(person.id, fake.textUpdate({ userId: person.id, text: String(index + 1) }));
    },
    received: (chatId) => fake.sentTo(chatId).map((m) => m.text),
  };
}

export type WebDriver = ChannelDriver & { signIn(person: Person, code: string): Promise<Response> };

/** The web chat through its HTTP API; a person's "id" is their browser (its session token). */
export function webDriver(baseUrl: string): WebDriver {
  const tokens = new Map<string, string>();
  const log = new Map<string, string[]>();
  const lastChoices = new Map<string, { label: string; data: string }[]>();
  let n = 0;
  const post = async (person: Person, body: object) => {
    const res = await fetch(`${baseUrl}/chat/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(tokens.has(person.id) ? { authorization: `Bearer ${tokens.get(person.id)}` } : {}),
      },
      body: JSON.stringify({ id: `msg-${person.id}-${++n}-${Date.now()}`, ...body }),
    });
    const json = (await res.json()) as {
      replies?: { text: string; choices?: { label: string; data: string }[] }[];
      message?: string;
    };
    const texts = json.replies ? json.replies.map((r) => r.text) : [json.message ?? `HTTP ${res.status}`];
    const withChoices = json.replies?.filter((r) => r.choices?.length).at(-1);
    if (withChoices) lastChoices.set(person.id, withChoices.choices!);
    log.set(person.id, [...(log.get(person.id) ?? []), ...texts]);
    return texts;
  };
  return {
    name: 'web chat',
    channel: 'web',
    async signIn(person, code) {
      const res = await fetch(`${baseUrl}/chat/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      if (res.ok) tokens.set(person.id, ((await res.clone().json()) as { token: string }).token);
      return res;
    },
    say: (person, text) => post(person, { text }),
    choose(person, label) {
      const c = lastChoices.get(person.id)?.find((x) => x.label === label);
      if (!c) throw new Error(`no choice "${label}"`);
      return post(person, { choice: c.data });
    },
    received: (id) => log.get(id) ?? [],
  };
}

// jsqr is a UMD bundle whose module.exports is the function; its types declare an ES default.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** The text of the QR code in a PNG (a photo the bot sent). */
export function readQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!code) throw new Error('no QR code in the image');
  return code.data;
}

export { FakeTelegram, FakeZalo, waitFor };
