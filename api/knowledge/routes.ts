import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { CAN, hasRole } from '../auth/roles.ts';
import { AppError, notFound } from '../errors.ts';
import {
  Closed,
  Count,
  DateTime,
  FileBody,
  mediaTypes,
  Id,
  IdParams,
  Nullable,
  Ok,
  OneOf,
  Responses,
  UntypedRows,
  UploadBody,
} from '../http/schemas.ts';
import { assertUploadWithinBounds, readUploadedFile } from '../http/uploads.ts';
import { findMember } from '../members/repository.ts';
import { findOrg } from '../orgs/repository.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { answerChoice, askAssistant } from '../../knowledge/answer.ts';
import { listQuestionsToReview, rateAnswer } from '../../knowledge/rate-answer.ts';
import { cellScope } from '../../knowledge/scope.ts';
import { assertMayLoadDocuments, loadDocument } from './load-document.ts';
import { getIngestJob } from './get-ingest-job.ts';
import { teachAnswer } from './teach-answer.ts';
import { withdrawDocument } from './withdraw-document.ts';

const tags = ['Trợ lý ảo (assistant)'];

const JobT = Type.Object({
  id: Id,
  status: OneOf(['running', 'done', 'failed']),
  filename: Type.String(),
  result: Nullable(
    Type.Object(
      {
        key: Type.String(),
        status: OneOf(['created', 'replaced', 'unchanged']),
        chunks: Count,
        pages: Type.Optional(Count),
      },
      { additionalProperties: true, description: 'what the ingest stored, when done' },
    ),
  ),
  error: Nullable(Type.String()),
  createdAt: DateTime,
  finishedAt: Nullable(DateTime),
});
const AnswerT = Type.Object({
  questionId: Id,
  text: Type.String(),
  citations: Type.Array(Type.Object({ n: Type.Integer({ minimum: 1 }), source: Type.String(), quote: Type.String() })),
  abstained: Type.Boolean({ description: 'the loaded documents do not answer the question' }),
  mode: OneOf(['offline', 'model']),
  choices: Type.Array(Type.Object({ chunkId: Id, label: Type.String() }), {
    description:
      'when not confident enough to answer: the most likely articles, to choose one with ' +
      'POST /knowledge/questions/:id/choice',
  }),
});
const QuestionToReviewT = Type.Object({
  id: Id,
  askedAt: DateTime,
  question: Type.String(),
  confidence: Nullable(Type.Number()),
  rating: Nullable(Type.Integer({ minimum: -1, maximum: 1 })),
  comment: Nullable(Type.String()),
  chosen: Nullable(Type.String({ description: 'the article the member chose among those offered' })),
});
const DOCUMENT_TYPES = {
  'application/pdf': FileBody,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': FileBody,
  'text/html': FileBody,
  'text/markdown': FileBody,
  'text/plain': FileBody,
};

export const knowledgeRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs/:id/knowledge/documents',
    {
      schema: {
        tags,
        params: IdParams,
        summary:
          'Load a procedure document (PDF, DOCX, HTML, Markdown, text) visible to this unit’s subtree; ' +
          'returns a job to poll',
        description:
          'multipart/form-data with field `file`; `?title=` names it (else its metadata or first heading). ' +
          'A document is visible to this unit’s subtree; one loaded for the centre (kind central) to everyone.',
        querystring: Closed({ title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) }),
        body: { content: { 'multipart/form-data': { schema: UploadBody }, ...mediaTypes(DOCUMENT_TYPES) } },
        response: Responses(Type.Object({ jobId: Id }), 202),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      // The right on the unit is checked before the upload is read.
      await assertMayLoadDocuments(deps, principal, request.params.id);
      const file = await readUploadedFile(request);
      // A file past the bounds is refused now, not in the job.
      await assertUploadWithinBounds(file);
      return reply
        .status(202)
        .send(await loadDocument(deps, principal, request.params.id, file, { title: request.query.title }));
    },
  );

  app.delete(
    '/knowledge/documents/:id',
    {
      schema: {
        tags,
        summary: 'For editors: withdraw a document; its passages stop answering at once (audited)',
        params: IdParams,
        response: Responses(Ok),
      },
    },
    async (request) => {
      await withdrawDocument(deps, requirePrincipal(request), request.params.id);
      return { ok: true };
    },
  );

  app.get(
    '/knowledge/jobs/:id',
    { schema: { tags, summary: 'An ingest job’s status', params: IdParams, response: Responses(UntypedRows(JobT)) } },
    async (request) => getIngestJob(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/knowledge/ask',
    {
      schema: {
        tags,
        summary: 'Ask the assistant (answers only from documents the caller may see, with citations)',
        body: Closed({ question: Type.String({ minLength: 2, maxLength: 1000 }) }),
        response: Responses(AnswerT),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const member = principal.memberId ? await findMember(deps.db, principal.memberId) : undefined;
      return askAssistant(deps.db, assistant(), {
        question: request.body.question,
        scopePath: await cellScope(deps.db, member?.cellId),
        memberId: member?.id ?? null,
      });
    },
  );

  app.post(
    '/knowledge/questions/:id/choice',
    {
      schema: {
        tags,
        summary: 'Choose one of the articles offered for a question; returns the answer from it',
        params: IdParams,
        body: Closed({ chunkId: Id }),
        response: Responses(AnswerT),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const member = principal.memberId ? await findMember(deps.db, principal.memberId) : undefined;
      return answerChoice(deps.db, assistant(), {
        questionId: request.params.id,
        chunkId: request.body.chunkId,
        scopePath: await cellScope(deps.db, member?.cellId),
        memberId: member?.id ?? null,
      });
    },
  );

  app.post(
    '/knowledge/questions/:id/rating',
    {
      schema: {
        tags,
        summary: 'Rate an answer 👍 (1) or 👎 (-1)',
        params: IdParams,
        body: Closed({
          rating: Type.Union([Type.Literal(1), Type.Literal(-1)]),
          comment: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: Responses(Ok),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      await rateAnswer(deps.db, request.params.id, principal.memberId, request.body.rating, request.body.comment);
      return { ok: true };
    },
  );

  app.post(
    '/orgs/:id/knowledge/lessons',
    {
      schema: {
        tags,
        summary:
          'For editors: link a question (one to review, or typed) to the article that answers it; questions ' +
          'worded like it are then answered from that article in this unit’s subtree',
        params: IdParams,
        body: Closed({
          questionId: Type.Optional(Id),
          question: Type.Optional(Type.String({ minLength: 2, maxLength: 1000 })),
          chunkId: Id,
          note: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: Responses(Type.Object({ id: Id }), 201),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await teachAnswer(deps, requirePrincipal(request), request.params.id, request.body)),
  );

  app.get(
    '/orgs/:id/knowledge/questions',
    {
      schema: {
        tags,
        summary:
          'For editors: unanswered questions or poorly rated answers from members of ' +
          'this unit’s subtree (what documents are missing)',
        params: IdParams,
        querystring: Closed({ filter: Type.Union([Type.Literal('unanswered'), Type.Literal('poor')]) }),
        response: Responses(UntypedRows(Type.Array(QuestionToReviewT))),
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const org = await findOrg(deps.db, request.params.id);
      if (!org) throw notFound('tổ chức');
      if (!(await hasRole(deps.db, principal.id, org.id, CAN.editDocuments)))
        throw new AppError('forbidden', 'Chỉ biên tập viên mới xem được.');
      return listQuestionsToReview(deps.db, request.query.filter, { path: org.path, kind: org.kind });
    },
  );
};
