import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { Closed, IdParams } from '../http/schemas.ts';
import { listFeedback, sendFeedback, updateFeedback } from './feedback.ts';

const tags = ['Phản ánh, kiến nghị (feedback)'];

export const feedbackRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/feedback',
    {
      schema: {
        tags,
        summary: 'A member sends feedback (to their cell, or the level above)',
        body: Closed({ body: Type.String({ minLength: 1, maxLength: 4000 }), escalate: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request, reply) => reply.status(201).send(await sendFeedback(deps, requirePrincipal(request), request.body)),
  );

  app.get('/feedback', { schema: { tags, summary: "The caller's own feedback" } }, async (request) =>
    listFeedback(deps, requirePrincipal(request), {}),
  );

  app.get(
    '/orgs/:id/feedback',
    { schema: { tags, summary: 'Feedback of a subtree, with its history (committee)', params: IdParams } },
    async (request) => listFeedback(deps, requirePrincipal(request), { orgId: request.params.id }),
  );

  app.post(
    '/feedback/:id/status',
    {
      schema: {
        tags,
        summary: 'Move feedback along (processing, answered with an answer, closed); the member is told in chat',
        params: IdParams,
        body: Closed({
          status: Type.Union(['processing', 'answered', 'closed'].map((s) => Type.Literal(s))),
          answer: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
          note: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
      },
    },
    async (request) => {
      await updateFeedback(deps, requirePrincipal(request), request.params.id, request.body as never);
      return { ok: true };
    },
  );
};
