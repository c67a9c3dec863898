import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { IdParams } from '../http/schemas.ts';
import { issueLinkCode } from './issue-link-code.ts';

export const chatAccountRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/members/:id/link-codes',
    {
      schema: {
        tags: ['Liên kết tài khoản chat (chat linking)'],
        summary: 'Issue a one-time code the member sends to a bot to link a chat account',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const { code, expiresAt } = await issueLinkCode(deps, requirePrincipal(request), request.params.id);
      return reply.status(201).send({
        code,
        expiresAt,
        howTo: `Gửi "/start ${code}" cho bot Telegram, hoặc "lienket ${code}" cho bot Zalo.`,
      });
    },
  );
};
