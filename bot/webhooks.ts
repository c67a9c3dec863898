/**
 * Webhook routes: POST /webhooks/:channel/:bot for every configured bot. A call is answered
 * as soon as the update is stored — processing happens off the request path — and a call
 * the channel module does not verify (wrong secret header, bad body signature) gets 401
 * with nothing stored. The raw body is kept for channels that sign it.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Responses } from '../api/http/schemas.ts';
import type { BotChannel, ChannelModule } from './channel.ts';
import type { InboxWorker } from './inbox.ts';

export const WEBHOOK_BODY_LIMIT = 256 * 1024;

export function webhookRoutes(
  bots: { bot: BotChannel; module: ChannelModule; secret: string }[],
  inbox: InboxWorker,
): FastifyPluginAsync {
  const byKey = new Map(bots.map((b) => [`${b.bot.channel}:${b.bot.botKey}`, b]));
  return async (app) => {
    // In this plugin only: parse JSON ourselves and keep the bytes a signature covers.
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
      try {
        done(null, JSON.parse((body as Buffer).toString('utf8')));
      } catch {
        done(Object.assign(new Error('Body is not JSON.'), { statusCode: 400 }), undefined);
      }
    });
    app.post<{ Params: { channel: string; bot: string } }>(
      '/webhooks/:channel/:bot',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        // The body is { ok } or a Bot API call for the platform to run (answerCallbackQuery).
        schema: {
          hide: true,
          response: Responses(
            Type.Object({
              ok: Type.Optional(Type.Boolean()),
              method: Type.Optional(Type.String()),
              callback_query_id: Type.Optional(Type.String()),
              text: Type.Optional(Type.String()),
              chat_id: Type.Optional(Type.String()),
              action: Type.Optional(Type.String()),
            }),
          ),
        },
      },
      async (request, reply) => {
        const entry = byKey.get(`${request.params.channel}:${request.params.bot}`);
        if (!entry) return reply.status(404).send({ error: 'not_found', message: 'Unknown bot.' });
        const rawBody = (request as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
        if (!entry.module.verifyWebhook({ headers: request.headers, rawBody }, entry.secret)) {
          return reply.status(401).send({ error: 'unauthorized', message: 'Wrong webhook secret.' });
        }
        const ids = entry.module.identify(request.body);
        if (!ids) return reply.status(400).send({ error: 'bad_request', message: 'Not a platform update.' });
        await inbox.accept(entry.bot, request.body, ids);
        // Stored (durable) before it is answered; a re-delivered tap is answered again, as
        // Telegram re-delivers only what it did not see answered.
        const ack = await entry.bot.acknowledgeReceipt?.(request.body, 'webhook');
        return ack ?? { ok: true };
      },
    );
  };
}
