import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { AppError } from '../errors.ts';
import { Closed, Id, IdParams, IsoDate } from '../http/schemas.ts';
import { verifyLink } from '../http/signed-link.ts';
import { NOTICE_KINDS } from './notice.ts';
import { publishNotice, MAX_BODY } from './publish-notice.ts';
import { acknowledgeNotice, editNotice } from './manage-notice.ts';
import { getNoticeStats } from './get-notice-stats.ts';
import { renderNoticePage } from './web-view.ts';

const tags = ['Thông báo (notices)'];

export const noticeRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post(
    '/orgs/:id/notices',
    {
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Publish a notice, document, resolution, study material or news item to a subtree',
        params: IdParams,
        body: Closed({
          kind: Type.Union(NOTICE_KINDS.map((k) => Type.Literal(k))),
          title: Type.String({ minLength: 1, maxLength: 300 }),
          body: Type.String({ minLength: 1, maxLength: MAX_BODY }),
          officialOnly: Type.Optional(Type.Boolean()),
          memberIds: Type.Optional(Type.Array(Id, { maxItems: 10_000 })),
          publishAt: Type.Optional(Type.String({ format: 'date-time' })),
          ackDueOn: Type.Optional(IsoDate),
          paidBroadcast: Type.Optional(Type.Boolean()),
          attachments: Type.Optional(
            Type.Array(
              Closed({
                filename: Type.String({ minLength: 1, maxLength: 200 }),
                mime: Type.String({ maxLength: 100 }),
                contentBase64: Type.String(),
              }),
              { maxItems: 10 },
            ),
          ),
        }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const notice = await publishNotice(deps, requirePrincipal(request), {
        ...b,
        orgId: request.params.id,
        publishAt: b.publishAt ? new Date(b.publishAt) : null,
        attachments: b.attachments?.map((a) => ({
          filename: a.filename,
          mime: a.mime,
          data: Buffer.from(a.contentBase64, 'base64'),
        })),
      });
      return reply.status(201).send(notice);
    },
  );

  app.patch(
    '/notices/:id',
    {
      schema: {
        tags,
        summary: 'Edit a notice (the old version is kept)',
        params: IdParams,
        body: Type.Object(
          {
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
            body: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_BODY })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => editNotice(deps, requirePrincipal(request), request.params.id, request.body),
  );

  app.get(
    '/notices/:id/stats',
    { schema: { tags, summary: 'Queued / sent / failed (with reasons) / read, by unit', params: IdParams } },
    async (request) => getNoticeStats(deps, requirePrincipal(request), request.params.id),
  );

  // The member's signed web view: /n/<notice>/<member>/<exp>/<sig>[/read | /a/<attachment>]
  const verified = (p: Record<string, string>) => {
    const ok = verifyLink(deps.linkSecret, 'notice', [p.notice, p.member], p.exp, p.sig, deps.clock.now());
    if (!ok) throw new AppError('forbidden', 'Đường dẫn không hợp lệ hoặc đã hết hạn.');
    return {
      noticeId: Number(p.notice),
      memberId: Number(p.member),
      self: `/n/${p.notice}/${p.member}/${p.exp}/${p.sig}`,
    };
  };
  app.get('/n/:notice/:member/:exp/:sig', { schema: { hide: true } }, async (request, reply) => {
    const v = verified(request.params as Record<string, string>);
    const html = await renderNoticePage(deps, v.noticeId, v.memberId, v.self);
    if (!html) throw new AppError('not_found', 'Không tìm thấy thông báo.');
    return reply.header('content-type', 'text/html; charset=utf-8').send(html);
  });
  app.post('/n/:notice/:member/:exp/:sig/read', { schema: { hide: true } }, async (request, reply) => {
    const v = verified(request.params as Record<string, string>);
    await acknowledgeNotice(deps, v.memberId, v.noticeId);
    return reply.redirect(v.self, 303);
  });
  app.get('/n/:notice/:member/:exp/:sig/a/:attachment', { schema: { hide: true } }, async (request, reply) => {
    const v = verified(request.params as Record<string, string>);
    const [file] = await deps.db.query<{ filename: string; mime: string; data: Buffer }>(
      `select filename, mime, data from notice_attachments where id = $1 and notice_id = $2`,
      [Number((request.params as Record<string, string>).attachment), v.noticeId],
    );
    if (!file) throw new AppError('not_found', 'Không tìm thấy tệp.');
    return reply
      .header('content-type', file.mime)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .send(Buffer.from(file.data));
  });
};
