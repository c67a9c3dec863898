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
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../api/context.ts';
import { AppError } from '../api/errors.ts';
import type { ChannelSender } from '../api/outbox/sender.ts';
import type { BotChannel } from './channel.ts';
import { InboxWorker, acceptUpdate } from './inbox.ts';
import { TelegramChannel, TelegramSender } from './telegram/adapter.ts';
import { ZaloChannel, ZaloSender } from './zalo/adapter.ts';
import { webhookRoutes } from './webhooks.ts';
import { webChatRoutes } from './web/routes.ts';
import { WebSender } from './web/sender.ts';
import { deriveWebhookSecret } from './webhook-secret.ts';

export interface BotConfig {
  key: string;
  channel: 'telegram' | 'zalo';
  token: string;
  orgId: number | null;
}

export function readBotConfigs(env: NodeJS.ProcessEnv): BotConfig[] {
  const bots: BotConfig[] = [];
  const org = (v: string | undefined) => (v ? Number(v) : null);
  if (env.TELEGRAM_BOT_TOKEN)
    bots.push({
      key: 'telegram',
      channel: 'telegram',
      token: env.TELEGRAM_BOT_TOKEN,
      orgId: org(env.TELEGRAM_BOT_ORG),
    });
  if (env.ZALO_BOT_TOKEN)
    bots.push({ key: 'zalo', channel: 'zalo', token: env.ZALO_BOT_TOKEN, orgId: org(env.ZALO_BOT_ORG) });
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
      !['telegram', 'zalo'].includes(b.channel) ||
      typeof b.token !== 'string' ||
      !b.token
    ) {
      throw new AppError(
        'startup',
        `Cấu hình bot "${b.key}" không hợp lệ (key: a-z0-9_-, channel: telegram|zalo, token bắt buộc).`,
      );
    }
    if (seen.has(`${b.channel}:${b.key}`)) throw new AppError('startup', `Bot "${b.key}" được khai báo hai lần.`);
    seen.add(`${b.channel}:${b.key}`);
  }
  return bots;
}

export interface RunningBots {
  plugins: FastifyPluginAsync[];
  senders: ChannelSender[];
  inbox: InboxWorker;
  channels: BotChannel[];
  /** One line for the start banner. */
  summary: string;
  /** Starts polling or registers webhooks; call once the HTTP server listens. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBots(deps: Deps, env: NodeJS.ProcessEnv = process.env): RunningBots {
  const configs = readBotConfigs(env);
  const publicUrl = deps.config.publicUrl;
  const entries = configs.map((c) => {
    const secret = deriveWebhookSecret(deps.linkSecret, `${c.channel}:${c.key}`, env.WEBHOOK_SECRET);
    const webhook = publicUrl ? { url: `${publicUrl}/webhooks/${c.channel}/${c.key}`, secret } : undefined;
    const common = { botKey: c.key, token: c.token, scope: { orgId: c.orgId }, webhook, log: deps.log };
    const channel: BotChannel =
      c.channel === 'telegram'
        ? new TelegramChannel({ ...common, apiRoot: env.TELEGRAM_API_ROOT })
        : new ZaloChannel({ ...common, apiRoot: env.ZALO_API_ROOT });
    return { channel, secret };
  });
  const channels = entries.map((e) => e.channel);
  const inbox = new InboxWorker(deps, channels);
  const telegram = channels.filter((c): c is TelegramChannel => c instanceof TelegramChannel);
  const zalo = channels.filter((c): c is ZaloChannel => c instanceof ZaloChannel);
  const senders: ChannelSender[] = [
    new TelegramSender(telegram.map((c) => ({ botKey: c.botKey, telegram: c.telegram }))),
    new ZaloSender(
      zalo.map((c) => ({ botKey: c.botKey, client: c.client })),
      deps.db,
    ),
    new WebSender(),
  ];
  const mode = publicUrl ? 'webhook' : 'long polling';
  const summary = configs.length
    ? `Bots: ${configs.map((c) => `${c.channel}:${c.key}${c.orgId ? ` (tổ chức ${c.orgId})` : ''}`).join(', ')} — ${mode}`
    : 'Bots: chưa cấu hình TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN — chỉ chạy web chat';
  return {
    plugins: [webhookRoutes(deps, entries, inbox), webChatRoutes(deps)],
    senders,
    inbox,
    channels,
    summary,
    async start() {
      inbox.start();
      for (const c of channels) {
        // An unreachable platform must not take the service (and the web chat) down.
        await c
          .start(async (updateId, payload) => {
            if (await acceptUpdate(deps, c.channel, c.botKey, updateId, payload)) inbox.kick();
          })
          .catch((e) =>
            deps.log.warn({ bot: c.botKey, channel: c.channel, error: (e as Error).name }, 'bot could not start'),
          );
      }
    },
    async stop() {
      for (const c of channels) await c.stop();
      await inbox.stop();
    },
  };
}
