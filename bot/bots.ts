/**
 * Which bots run, and starting them. One bot per province is the normal deployment: each
 * bot is bound to an organisation subtree, talks only to members of it, and has its own
 * rate limits — 34 provincial bots send in parallel where one national bot would queue.
 *
 *   TELEGRAM_BOT_TOKEN=…  [TELEGRAM_BOT_ORG=<org id>]     one Telegram bot (key "telegram")
 *   ZALO_BOT_TOKEN=…      [ZALO_BOT_ORG=<org id>]         one Zalo bot (key "zalo")
 *   BOTS='[{"key":"hanoi","channel":"telegram","token":"…","orgId":12}, …]'   several
 *   TELEGRAM_API_ROOT / ZALO_API_ROOT                     another API server (tests, self-hosted)
 *   PUBLIC_URL=https://…                                  webhooks instead of long polling
 *   WEBHOOK_SECRET                                        (optional) else derived per bot
 *
 * The `<PREFIX>_…` names come from each channel module's `envPrefix` (bot/channels.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../api/context.ts';
import { ensureChannels } from '../api/chat-channels/ensure-channels.ts';
import { AppError } from '../api/errors.ts';
import type { ChannelSender } from '../api/outbox/sender.ts';
import { SendError } from '../api/outbox/sender.ts';
import type { BotChannel, BotConfig, ChannelModule } from './channel.ts';
import { CHANNELS } from './channels.ts';
import { InboxWorker, type InboxOptions } from './inbox.ts';
import { choiceData } from './core/reply.ts';
import { webhookRoutes } from './webhooks.ts';
import { webChatRoutes } from './web/routes.ts';
import { WEB_BOT_KEY } from './web/sender.ts';
import { deriveWebhookSecret } from './webhook-secret.ts';

export type { BotConfig } from './channel.ts';

export function readBotConfigs(env: NodeJS.ProcessEnv, modules: readonly ChannelModule[] = CHANNELS): BotConfig[] {
  const bots: BotConfig[] = [];
  const org = (v: string | undefined) => (v ? Number(v) : null);
  for (const m of modules) {
    const token = m.envPrefix ? env[`${m.envPrefix}_BOT_TOKEN`] : undefined;
    if (token) bots.push({ key: m.name, channel: m.name, token, orgId: org(env[`${m.envPrefix}_BOT_ORG`]) });
  }
  const names = modules.filter((m) => m.replies === 'push').map((m) => m.name);
  if (env.BOTS) {
    let list: unknown;
    try {
      list = JSON.parse(env.BOTS);
    } catch {
      throw new AppError('startup', 'BOTS phải là JSON: [{"key":"hanoi","channel":"telegram","token":"…","orgId":12}]');
    }
    for (const b of Array.isArray(list) ? list : [])
      bots.push({ key: b.key, channel: b.channel, token: b.token, orgId: b.orgId ?? null });
  }
  const seen = new Set<string>();
  for (const b of bots) {
    if (
      !/^[a-z0-9_-]{1,32}$/.test(b.key ?? '') ||
      !names.includes(b.channel) ||
      typeof b.token !== 'string' ||
      !b.token
    ) {
      throw new AppError(
        'startup',
        `Cấu hình bot "${b.key}" không hợp lệ (key: a-z0-9_-, channel: ${names.join('|')}, token bắt buộc).`,
      );
    }
    if (seen.has(`${b.channel}:${b.key}`)) throw new AppError('startup', `Bot "${b.key}" được khai báo hai lần.`);
    seen.add(`${b.channel}:${b.key}`);
  }
  return bots;
}

export interface RunningBots {
  plugins: FastifyPluginAsync[];
  /** One sender per channel, for the outbox worker. */
  senders: ChannelSender[];
  inbox: InboxWorker;
  channels: BotChannel[];
  /** The registry's channel names (written to the database's chat_channels at start). */
  channelNames: string[];
  /** One line for the start banner. */
  summary: string;
  /** Starts polling or registers webhooks; call once the HTTP server listens. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BotsOptions {
  /** The channel registry; tests add channels of their own. */
  modules?: readonly ChannelModule[];
  inbox?: InboxOptions;
}

export function createBots(deps: Deps, env: NodeJS.ProcessEnv = process.env, options: BotsOptions = {}): RunningBots {
  const modules = options.modules ?? CHANNELS;
  const byName = new Map(modules.map((m) => [m.name, m]));
  const configs = readBotConfigs(env, modules);
  const publicUrl = deps.config.publicUrl;
  const entries = configs.map((c) => {
    const module = byName.get(c.channel)!;
    const secret = deriveWebhookSecret(deps.linkSecret, `${c.channel}:${c.key}`, env.WEBHOOK_SECRET);
    const webhook = publicUrl ? { url: `${publicUrl}/webhooks/${c.channel}/${c.key}`, secret } : undefined;
    const apiRoot = module.envPrefix ? env[`${module.envPrefix}_API_ROOT`] : undefined;
    const bot = module.createBot(c, { orgId: c.orgId }, { apiRoot, webhook, log: deps.log });
    return { bot, module, secret };
  });
  // Channels that answer inline (the web chat) always run, with one bot.
  const inline = modules
    .filter((m) => m.replies === 'inline')
    .map((m) =>
      m.createBot({ key: WEB_BOT_KEY, channel: m.name, token: '-', orgId: null }, { orgId: null }, { log: deps.log }),
    );
  const pushBots = entries.map((e) => e.bot);
  const numberedChannels = new Set(modules.filter((m) => m.numberedChoices).map((m) => m.name));
  const inbox = new InboxWorker(deps, pushBots, { ...options.inbox, numberedChannels });
  const senders: ChannelSender[] = modules.map((m) => {
    const bots = new Map([...pushBots, ...inline].filter((b) => b.channel === m.name).map((b) => [b.botKey, b]));
    return {
      channel: m.name,
      botKeys: [...bots.keys()],
      limits: m.limits,
      numberedChoices: m.numberedChoices,
      choiceData,
      send(target, payload) {
        const bot = bots.get(target.botKey);
        if (!bot) throw new SendError('permanent', `no ${m.name} bot "${target.botKey}" configured`);
        return bot.send(target, payload);
      },
    };
  });
  const mode = publicUrl ? 'webhook' : 'long polling';
  const summary = configs.length
    ? `Bots: ` +
      `${configs.map((c) => `${c.channel}:${c.key}${c.orgId ? ` (tổ chức ${c.orgId})` : ''}`).join(', ')} — ${mode}`
    : 'Bots: chưa cấu hình TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN — chỉ chạy web chat';
  const web = inline.find((b) => b.botKey === WEB_BOT_KEY);
  return {
    plugins: [webhookRoutes(entries, inbox), ...(web ? [webChatRoutes(deps, inbox, web)] : [])],
    senders,
    inbox,
    channels: pushBots,
    channelNames: modules.map((m) => m.name),
    summary,
    async start() {
      await ensureChannels(
        deps.db,
        modules.map((m) => m.name),
      );
      inbox.start();
      for (const { bot, module } of entries) {
        // An unreachable platform must not take the service (and the web chat) down.
        await bot
          .start(async (payload) => {
            const ids = module.identify(payload);
            if (!ids) return;
            await inbox.accept(bot, payload, ids);
            // Not awaited: the poll loop goes on storing the batch while the tap is answered.
            void bot.acknowledgeReceipt?.(payload, 'poll');
          })
          .catch((e) =>
            deps.log.warn({ bot: bot.botKey, channel: bot.channel, error: (e as Error).name }, 'bot could not start'),
          );
      }
    },
    async stop() {
      for (const b of pushBots) await b.stop();
      await inbox.stop();
    },
  };
}
