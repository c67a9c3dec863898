import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { DateTime, IdParams, Responses } from '../http/schemas.ts';
import { issueLinkCode } from './issue-link-code.ts';

export const chatAccountRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/members/:id/link-codes',
    {
      schema: {
        tags: ['Liên kết tài khoản chat (chat linking)'],
        summary: 'Issue a one-time code the member sends to a bot to link a chat account',
        params: IdParams,
        response: Responses(
          Type.Object({
            code: Type.String({ description: 'one-time code, valid until expiresAt' }),
            expiresAt: DateTime,
            howTo: Type.String({ description: 'how the member sends the code to a bot' }),
            replaced: Type.Integer({ description: "the member's earlier unused codes this one voids" }),
          }),
          201,
        ),
      },
    },
    async (request, reply) => {
      const { code, expiresAt, replaced } = await issueLinkCode(deps, requirePrincipal(request), request.params.id);
      const howTo = `Gửi "/start ${code}" cho bot Telegram, hoặc "lienket ${code}" cho bot Zalo.`;
      return reply.status(201).send({
        code,
        expiresAt,
        replaced,
        howTo: replaced ? `Mã này thay thế mã liên kết cấp trước đó; mã cũ không còn dùng được. ${howTo}` : howTo,
      });
    },
  );
};
