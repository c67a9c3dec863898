import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { Closed, DateTime, Id, IdParams, Nullable, Ok, OneOf, Responses } from '../http/schemas.ts';
import { listFeedback, sendFeedback, updateFeedback } from './feedback.ts';

const tags = ['Phản ánh, kiến nghị (feedback)'];
const StatusT = OneOf(['received', 'processing', 'answered', 'closed']);
const FeedbackT = Type.Object({
  id: Id,
  body: Type.String(),
  status: StatusT,
  answer: Nullable(Type.String()),
  createdAt: DateTime,
  memberName: Type.String(),
  orgName: Type.String(),
  hasPhoto: Type.Boolean(),
});
const FeedbackWithHistoryT = Type.Object({
  ...FeedbackT.properties,
  history: Type.Optional(
    Type.Array(
      Type.Object({ status: StatusT, at: Type.String({ description: 'ISO timestamp' }), by: Nullable(Type.String()) }),
      { description: 'each change, oldest first' },
    ),
  ),
});

export const feedbackRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/feedback',
    {
      schema: {
        tags,
        summary: 'A member sends feedback (to their cell, or the level above)',
        body: Closed({ body: Type.String({ minLength: 1, maxLength: 4000 }), escalate: Type.Optional(Type.Boolean()) }),
        response: Responses(Type.Object({ id: Id, orgName: Type.String({ description: 'the unit it went to' }) }), 201),
      },
    },
    async (request, reply) => reply.status(201).send(await sendFeedback(deps, requirePrincipal(request), request.body)),
  );

  app.get(
    '/feedback',
    { schema: { tags, summary: "The caller's own feedback", response: Responses(Type.Array(FeedbackT)) } },
    async (request) => listFeedback(deps, requirePrincipal(request), {}),
  );

  app.get(
    '/orgs/:id/feedback',
    {
      schema: {
        tags,
        summary: 'Feedback of a subtree, with its history (committee)',
        params: IdParams,
        response: Responses(Type.Array(FeedbackWithHistoryT)),
      },
    },
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
        response: Responses(Ok),
      },
    },
    async (request) => {
      await updateFeedback(deps, requirePrincipal(request), request.params.id, request.body as never);
      return { ok: true };
    },
  );
};
