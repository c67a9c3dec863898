/**
 * Webhook routes: POST /webhooks/telegram/:bot and /webhooks/zalo/:bot. A call is answered
 * as soon as the update is stored — processing happens off the request path — and a wrong
 * secret gets 401 with nothing stored.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { Responses } from '../api/http/schemas.ts';
import type { Deps } from '../api/context.ts';
import type { BotChannel } from './channel.ts';
import { acceptUpdate, type InboxWorker } from './inbox.ts';
import { constantTimeEqual } from './webhook-secret.ts';
import { unwrapZaloUpdate } from './zalo/adapter.ts';

export const WEBHOOK_BODY_LIMIT = 256 * 1024;

const SECRET_HEADER = { telegram: 'x-telegram-bot-api-secret-token', zalo: 'x-bot-api-secret-token' } as const;

export function webhookRoutes(
  deps: Deps,
  bots: { channel: BotChannel; secret: string }[],
  inbox: InboxWorker,
): FastifyPluginAsync {
  const byKey = new Map(bots.map((b) => [`${b.channel.channel}:${b.channel.botKey}`, b]));
  return async (app) => {
    app.post<{ Params: { channel: string; bot: string } }>(
      '/webhooks/:channel/:bot',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: { hide: true, response: Responses(Type.Object({ ok: Type.Boolean() })) },
      },
      async (request, reply) => {
        const { channel, bot } = request.params;
        const entry = byKey.get(`${channel}:${bot}`);
        if (!entry || (channel !== 'telegram' && channel !== 'zalo'))
          return reply.status(404).send({ error: 'not_found', message: 'Unknown bot.' });
        const given = request.headers[SECRET_HEADER[channel]];
        if (!constantTimeEqual(typeof given === 'string' ? given : '', entry.secret)) {
          return reply.status(401).send({ error: 'unauthorized', message: 'Wrong webhook secret.' });
        }
        const updateId = channel === 'telegram' ? telegramUpdateId(request.body) : zaloUpdateId(request.body);
        if (updateId === null)
          return reply.status(400).send({ error: 'bad_request', message: 'Not a platform update.' });
        if (await acceptUpdate(deps, channel, bot, updateId, request.body)) inbox.kick();
        return { ok: true };
      },
    );
  };
}

function telegramUpdateId(body: unknown): string | null {
  const id = (body as { update_id?: unknown } | null)?.update_id;
  return typeof body === 'object' && Number.isSafeInteger(id) ? String(id) : null;
}

function zaloUpdateId(body: unknown): string | null {
  const u = unwrapZaloUpdate(body);
  return u ? String(u.message.message_id) : null;
}
