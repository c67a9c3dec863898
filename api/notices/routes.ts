import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { AppError } from '../errors.ts';
import {
  Closed,
  ContentResponses,
  Count,
  DateTime,
  FileBody,
  HtmlPage,
  Id,
  IdParams,
  IsoDate,
  Nullable,
  OneOf,
  Responses,
  SignedLinkPart,
} from '../http/schemas.ts';
import { verifyLink } from '../http/signed-link.ts';
import { NOTICE_KINDS } from './notice.ts';
import { publishNotice, MAX_ATTACHMENTS, MAX_BODY } from './publish-notice.ts';
import { acknowledgeNotice, editNotice } from './manage-notice.ts';
import { getNoticeStats } from './get-notice-stats.ts';
import { MANUAL_REMINDER_GAP_HOURS, remindNotice } from './remind-notice.ts';
import { renderNoticePage } from './web-view.ts';
import { openAttachment } from './open-attachment.ts';
import { asBrowserPages } from '../http/web-page.ts';

const tags = ['Thông báo (notices)'];

const NoticeT = Type.Object({
  id: Id,
  orgId: Id,
  kind: OneOf(NOTICE_KINDS),
  title: Type.String(),
  body: Type.String(),
  officialOnly: Type.Boolean(),
  memberIds: Nullable(Type.Array(Id)),
  publishAt: DateTime,
  publishedAt: Nullable(DateTime),
  ackDueOn: Nullable(IsoDate),
  paidBroadcast: Type.Boolean(),
  version: Type.Integer({ minimum: 1 }),
});
const DeliveryCountsT = {
  recipients: Count,
  queued: Count,
  sent: Count,
  failed: Count,
  read: Count,
};
const ReminderT = Type.Object(
  {
    noticeId: Id,
    round: Type.Integer({ minimum: 1, description: 'reminders sent by hand for this notice, this one included' }),
    sentAt: DateTime,
    members: Type.Integer({ minimum: 0, description: 'recipients who had not confirmed reading' }),
    messages: Type.Integer({ minimum: 0, description: 'messages queued to their linked chats' }),
  },
  { description: 'a reminder sent by hand to the recipients who have not confirmed reading' },
);
const NoticeStatsT = Type.Object({
  noticeId: Id,
  title: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  publishedAt: Nullable(DateTime),
  totals: Type.Object(DeliveryCountsT),
  failures: Type.Array(Type.Object({ reason: Type.String(), n: Count })),
  units: Type.Array(Type.Object({ cellId: Id, cellName: Type.String(), ...DeliveryCountsT })),
  lastReminder: Nullable(ReminderT),
});
const NoticeLinkParams = Type.Object({
  notice: SignedLinkPart,
  member: SignedLinkPart,
  exp: SignedLinkPart,
  sig: SignedLinkPart,
});
const html = ContentResponses(200, { 'text/html': HtmlPage }, 'the notice page');

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
              { maxItems: MAX_ATTACHMENTS },
            ),
          ),
        }),
        response: Responses(
          Type.Object({ ...NoticeT.properties, recipients: Count }, { description: 'recipients: 0 until publishAt' }),
          201,
        ),
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
        response: Responses(NoticeT),
      },
    },
    async (request) => editNotice(deps, requirePrincipal(request), request.params.id, request.body),
  );

  app.get(
    '/notices/:id/stats',
    {
      schema: {
        tags,
        summary: 'Queued / sent / failed (with reasons) / read, by unit',
        params: IdParams,
        response: Responses(NoticeStatsT),
      },
    },
    async (request) => getNoticeStats(deps, requirePrincipal(request), request.params.id),
  );

  app.post(
    '/notices/:id/remind',
    {
      schema: {
        tags,
        summary:
          'Remind the recipients who have not confirmed reading ' +
          `(one round at most every ${MANUAL_REMINDER_GAP_HOURS} hours)`,
        params: IdParams,
        response: Responses(ReminderT),
      },
    },
    async (request) => remindNotice(deps, requirePrincipal(request), request.params.id),
  );

  // The member's signed web view, /n/<notice>/<member>/<exp>/<sig>[/read | /a/<attachment>], is opened
  // in a browser: its scope takes a browser's form post (urlencoded, or no body) and answers errors as pages.
  const webView: FastifyPluginAsyncTypebox = async (pages) => {
    await asBrowserPages(pages);
    const verified = (p: Record<string, string>) => {
      const ok = verifyLink(deps.linkSecret, 'notice', [p.notice, p.member], p.exp, p.sig, deps.clock.now());
      if (!ok) throw new AppError('forbidden', 'Đường dẫn không hợp lệ hoặc đã hết hạn.');
      return {
        noticeId: Number(p.notice),
        memberId: Number(p.member),
        self: `/n/${p.notice}/${p.member}/${p.exp}/${p.sig}`,
      };
    };
    pages.get(
      '/n/:notice/:member/:exp/:sig',
      { schema: { hide: true, params: NoticeLinkParams, response: html } },
      async (request, reply) => {
        const v = verified(request.params);
        const page = await renderNoticePage(deps, v.noticeId, v.memberId, v.self);
        if (!page) throw new AppError('not_found', 'Không tìm thấy thông báo.');
        return reply.header('content-type', 'text/html; charset=utf-8').send(page);
      },
    );
    pages.post(
      '/n/:notice/:member/:exp/:sig/read',
      {
        schema: {
          hide: true,
          params: NoticeLinkParams,
          response: { 303: { description: 'read recorded; back to the notice page', type: 'null' } },
        },
      },
      async (request, reply) => {
        const v = verified(request.params);
        await acknowledgeNotice(deps, v.memberId, v.noticeId);
        return reply.redirect(v.self, 303);
      },
    );
    pages.get(
      '/n/:notice/:member/:exp/:sig/a/:attachment',
      {
        schema: {
          hide: true,
          params: Type.Object({ ...NoticeLinkParams.properties, attachment: SignedLinkPart }),
          response: ContentResponses(200, { '*/*': FileBody }, 'the attached file, with its own content type'),
        },
      },
      async (request, reply) => {
        const v = verified(request.params);
        const file = await openAttachment(deps, v.noticeId, Number(request.params.attachment));
        return reply
          .header('content-type', file.mime)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
          .send(file.data);
      },
    );
  };
  await app.register(webView);
};
