/**
 * The web console at /console: server-rendered pages for committees and secretaries.
 * Sign-in is the one-time link a member with a role asks the bot for; the session lives in
 * an HttpOnly, SameSite=Strict cookie, and every form carries a CSRF token bound to the
 * session. Each route authenticates, calls one use case and renders its result; the
 * permission checks are the use cases' own (the API's roles and subtrees).
 */
import crypto from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TObject, type TProperties, Type } from 'typebox';
import type { Deps } from '../context.ts';
import { AppError, invalid } from '../errors.ts';
import { Closed, Id, IdParams } from '../http/schemas.ts';
import { DOCUMENT_CONTENT_TYPES, DocumentFormatParam, sendDocument, sendDownload } from '../http/document-file.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, listRoleGrants } from '../auth/roles.ts';
import { setOrgDeployment } from '../orgs/set-org-deployment.ts';
import { exportMembers } from '../members/export-members.ts';
import { scheduleMeeting } from '../meetings/schedule-meeting.ts';
import { recordRoll } from '../meetings/record-roll.ts';
import { openMeeting } from '../meetings/open-meeting.ts';
import { closeMeeting } from '../meetings/close-meeting.ts';
import { checkIn } from '../meetings/check-in.ts';
import { openMotion } from '../meetings/open-motion.ts';
import { recordPaperBallots } from '../meetings/record-paper-ballots.ts';
import { nameCountingCommittee } from '../meetings/counting-committee.ts';
import { setMeetingOfficers } from '../meetings/set-meeting-officers.ts';
import { agendaFromText, MAX_AGENDA_ITEMS, setAgenda } from '../meetings/set-agenda.ts';
import { approveMinutes } from '../meetings/approve-minutes.ts';
import { closeMotion } from '../meetings/close-motion.ts';
import { attachDocument } from '../meetings/documents.ts';
import { adoptResolution } from '../meetings/adopt-resolution.ts';
import { generateMinutes } from '../meetings/generate-minutes.ts';
import {
  assertMayPublish,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  MAX_BODY,
  publishNotice,
} from '../notices/publish-notice.ts';
import { getNoticeStats } from '../notices/get-notice-stats.ts';
import { readVnDate, readVnDateTime } from '../text/vn-date.ts';
import { listNoticeUnread } from './list-notice-unread.ts';
import { MANUAL_REMINDER_GAP_HOURS, remindNotice } from '../notices/remind-notice.ts';
import { NOTICE_KINDS, type NoticeKind } from '../notices/notice.ts';
import { listFeedback, updateFeedback } from '../feedback/feedback.ts';
import { DECISION_KINDS, type DecisionKind } from '../rules/meeting-rules.ts';
import { SESSION_HOURS } from './policy.ts';
import { checkConsoleLink, openConsoleSession } from './open-console-session.ts';
import { type ConsoleSession, resumeConsoleSession } from './resume-console-session.ts';
import { endConsoleSession, listConsoleSessions } from './end-console-session.ts';
import { getUnitDashboard, lastMonths } from './get-unit-dashboard.ts';
import { getDocumentSettings, saveDocumentSettings } from '../orgs/document-settings.ts';
import { getMeetingsMonth } from './get-meetings-month.ts';
import { getMeetingProgress, getMeetingRecord } from './get-meeting-record.ts';
import { listNoticesOfUnit } from './list-unit-notices.ts';
import { exportUnitTable } from './export-unit-table.ts';
import { exportMeetingsTable } from './export-meetings-table.ts';
import { buildProgressReport } from './build-progress-report.ts';
import { messagePage, page, type RefusedForm } from './pages/html.ts';
import { homePage, loginPage, sessionsPage } from './pages/account-pages.ts';
import { dashboardPage } from './pages/dashboard-page.ts';
import { meetingRecordPage, meetingsMonthPage } from './pages/meetings-page.ts';
import { COUNT_SCRIPT } from './pages/meeting-motions.ts';
import { feedbackPage, noticeStatsPage, noticesPage } from './pages/notices-page.ts';
import type { FeedbackRow } from './repository.ts';
import { importMembers, type ImportProblem } from '../members/import-members.ts';
import { DRAFT_MINUTES, type ImportDraft, keepImportDraft, takeImportDraft } from '../members/import-drafts.ts';
import { listQuestionsForEditor } from './list-questions-to-review.ts';
import { readableUnit } from './get-readable-unit.ts';
import { getFeedbackTimes } from './get-feedback-times.ts';
import { membersPage, questionsPage } from './pages/members-page.ts';
import { auditPage, rolesPage } from './pages/rights-page.ts';
import { AUDIT_PAGE_SIZE, listUnitAudit } from './list-unit-audit.ts';
import { listUnitRoles } from '../auth/list-unit-roles.ts';
import { removeRole } from '../auth/remove-role.ts';
import { ingestJobPage, knowledgePage, UPLOAD_SCRIPT } from './pages/knowledge-page.ts';
import { findUnits, type UnitRow } from './repository.ts';
import { listUnitKnowledge } from '../knowledge/list-unit-knowledge.ts';
import { assertMayLoadDocuments, loadDocument } from '../knowledge/load-document.ts';
import { getIngestJob, getIngestJobOfUnit } from '../knowledge/get-ingest-job.ts';
import { teachAnswer } from '../knowledge/teach-answer.ts';
import { withdrawDocument } from '../knowledge/withdraw-document.ts';
import { SUPPORTED_EXTENSIONS } from '../../ingest/loaders/load-file.ts';
import { assertUploadWithinBounds, DEFAULT_BODY_LIMIT, MAX_UPLOAD_BYTES, readMultipartForm } from '../http/uploads.ts';
import { inlineScriptHashes } from '../http/security-headers.ts';
import { describeValidationError, validatorCompiler } from '../http/validation.ts';
import type { ErrorObject } from 'ajv';
import { vietnamDate } from '../text/vietnam-time.ts';

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSession | null;
  }
}

const SESSION_COOKIE = 'sdv_console';
/** What the sign-in form's CSRF token is bound to, before there is a session. */
const SIGN_IN = 'sign-in';
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";
/** Pages with the upload script (pages/knowledge-page.ts): that script alone, and requests to this origin. */
const UPLOAD_SCRIPT_HASHES = inlineScriptHashes(`<script>${UPLOAD_SCRIPT}</script>`).join(' ');
const CSP_WITH_UPLOAD_SCRIPT = `${CSP}; script-src ${UPLOAD_SCRIPT_HASHES}; connect-src 'self'`;
/** The meeting page: its live count of ballots received (pages/meeting-motions.ts), and requests to this origin. */
const COUNT_SCRIPT_HASHES = inlineScriptHashes(`<script>${COUNT_SCRIPT}</script>`).join(' ');
const CSP_WITH_COUNT_SCRIPT = `${CSP}; script-src ${COUNT_SCRIPT_HASHES}; connect-src 'self'`;
const Csrf = Type.Optional(Type.String({ maxLength: 200 }));
const Text = (max: number) => Type.String({ maxLength: max });
/** A row id as a form posts it: digits only. */
const FormId = Type.String({ pattern: '^[0-9]{1,9}$' });
/** A select whose first option, "— chưa chọn —", sends "". */
const MaybeFormId = Type.String({ pattern: '^[0-9]{0,9}$' });
const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' });
const Format = Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]);
const tags = ['Trang quản trị (console)'];
const NOTICE_LIMITS = { files: MAX_ATTACHMENTS, megabytes: MAX_ATTACHMENT_BYTES / 1024 / 1024 };
const NoticeForm = {
  kind: Type.Union(NOTICE_KINDS.map((k) => Type.Literal(k))),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  body: Type.String({ minLength: 1, maxLength: MAX_BODY }),
  // Typed day first ("05/12/2026 19:30"), read by text/vn-date.ts; ISO is read too.
  ackDueOn: Type.Optional(Text(30)),
  publishAt: Type.Optional(Text(30)),
  officialOnly: Type.Optional(Type.Literal('1')),
};
// What each route answers: a page, a redirect back to one (after a form), or a file.
const HTML = { content: { 'text/html': { schema: { type: 'string' } } } };
const PAGE = { 200: { description: 'Trang HTML', ...HTML }, '4xx': { description: 'Trang báo lỗi', ...HTML } };
const REDIRECT = { 303: { description: 'Quay lại trang sau khi xử lý biểu mẫu', type: 'null' } };
const FILE = { 200: { description: 'Tệp XLSX, CSV, DOCX hoặc PDF', type: 'string', format: 'binary' } };
const hide = true;

/** Messages shown after a form was handled (the redirect carries only the key). */
const DONE: Record<string, string> = {
  excluded: 'Đã cập nhật đơn vị không tính vào số liệu.',
  documents: 'Đã lưu thông tin ghi trên văn bản của đơn vị.',
  scheduled: 'Đã lên lịch buổi họp và báo cho đảng viên.',
  opened: 'Buổi họp đã bắt đầu; đảng viên có thể điểm danh.',
  closed: 'Buổi họp đã kết thúc.',
  checked: 'Đã ghi nhận có mặt.',
  roll: 'Đã lưu điểm danh.',
  motion: 'Đã mở biểu quyết; đảng viên có mặt nhận lựa chọn trong chat.',
  paper: 'Đã ghi phiếu giấy của phòng họp.',
  counters: 'Đã ghi ban kiểm phiếu.',
  officers: 'Đã ghi chủ trì và thư ký.',
  agenda: 'Đã ghi nội dung họp.',
  approved: 'Đã ghi: biên bản đã được đọc lại và thông qua.',
  result: 'Đã kết thúc biểu quyết và công bố kết quả.',
  document: 'Đã gửi tài liệu cho đảng viên.',
  resolution: 'Đã đăng nghị quyết và giao nhiệm vụ.',
  published: 'Đã đăng thông báo.',
  deferred:
    'Đã đăng thông báo. Đang trong giờ yên tĩnh ban đêm nên thông báo sẽ được gửi tới điện thoại của đảng viên ' +
    'khi hết giờ yên tĩnh (xem giờ gửi bên dưới); thông báo khẩn thì gửi ngay.',
  reminded: 'Đã xếp gửi lời nhắc tới những đồng chí chưa đọc.',
  loaded: 'Đã nạp xong tài liệu; Trợ lý ảo trả lời được từ tài liệu này.',
  answered: 'Đã gửi trả lời cho đảng viên.',
  ended: 'Đã kết thúc phiên đăng nhập.',
  removed: 'Đã bỏ vai trò; việc này được ghi vào nhật ký thao tác.',
  taught: 'Đã dạy Trợ lý ảo: câu hỏi tương tự trong đơn vị được trả lời từ điều khoản đã chọn.',
  withdrawn: 'Đã rút tài liệu; Trợ lý ảo không trả lời từ tài liệu này nữa.',
};
const done = (query: unknown) => DONE[(query as { done?: string })?.done ?? ''];

export const consoleRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const secure = (deps.config.publicUrl ?? '').startsWith('https://');
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 300_000 });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'sdv_console_csrf',
    cookieOpts: { path: '/console', sameSite: 'strict', httpOnly: true, secure },
    // A token is good only with the session it was issued in (sign-in has none yet).
    getUserInfo: (request: FastifyRequest) => String(request.consoleSession?.id ?? SIGN_IN),
    csrfOpts: { hmacKey: crypto.createHmac('sha256', deps.linkSecret).update('console-csrf').digest('base64url') },
  });

  app.decorateRequest('consoleSession', null);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', CSP);
    if (request.url.startsWith('/console/login')) return;
    request.consoleSession = await resumeConsoleSession(deps, request.cookies[SESSION_COOKIE]);
    // The session's principal is the caller: the upload bounds (http/uploads.ts) let it send a file.
    request.principal = request.consoleSession.principal;
  });
  // Every state-changing form, the sign-in button's too: the CSRF token before anything else is
  // looked at. Sign-in has no session yet: its token is bound to SIGN_IN, and to the CSRF cookie the
  // sign-in page set (SameSite=Strict, so a cross-site form that would sign a victim into someone
  // else's console arrives without it).
  app.addHook('preValidation', async (request, reply) => {
    if (request.method !== 'POST') return;
    // A file upload's token is a field of the multipart body: its route checks it (readUploadForm)
    // before the file is used.
    if (request.isMultipart() && request.routeOptions.config?.upload) return;
    await checkCsrf(request, reply);
  });
  const checkCsrf = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<void>((resolve, reject) =>
      app.csrfProtection(request, reply, (err?: Error) => (err ? reject(err) : resolve())),
    );

  app.setErrorHandler((error, request, reply) => {
    const who = request.consoleSession?.principal.displayName;
    const fe = error as { code?: string; validation?: unknown; statusCode?: number };
    if (error instanceof AppError) {
      if (error.detail) request.log.info({ code: error.code, detail: error.detail }, 'console request refused');
      const title =
        error.code === 'forbidden'
          ? 'Không có quyền truy cập'
          : error.code === 'unauthorized'
            ? 'Cần đăng nhập'
            : error.code === 'not_found'
              ? 'Không tìm thấy'
              : 'Không thực hiện được';
      return html(reply.status(error.httpStatus), messagePage(title, error.message, who));
    }
    if (fe.code?.startsWith('FST_CSRF')) {
      request.log.info({ code: fe.code }, 'console form without a valid CSRF token');
      return html(
        reply.status(403),
        messagePage(
          'Biểu mẫu không hợp lệ',
          'Biểu mẫu thiếu mã bảo vệ hoặc mã đã hết hạn, nên không có gì được thay đổi. Hãy mở lại trang và gửi lại.',
          who,
        ),
      );
    }
    if (fe.validation) {
      return html(
        reply.status(400),
        messagePage('Dữ liệu không hợp lệ', 'Dữ liệu gửi lên không hợp lệ; không có gì được thay đổi.', who),
      );
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return html(reply.status(fe.statusCode), messagePage('Yêu cầu không hợp lệ', 'Yêu cầu không hợp lệ.', who));
    }
    request.log.error({ err: error }, 'console page failed');
    return html(reply.status(500), messagePage('Lỗi hệ thống', 'Lỗi hệ thống, vui lòng thử lại sau.', who));
  });

  const session = (request: FastifyRequest) => {
    if (!request.consoleSession) {
      throw new AppError(
        'unauthorized',
        'Đồng chí chưa đăng nhập, hoặc phiên làm việc đã kết thúc. Xin nhắn “quản trị” cho bot trong tin nhắn ' +
          'riêng (Telegram, Zalo hoặc web chat) để nhận đường dẫn đăng nhập dùng một lần.',
      );
    }
    return request.consoleSession;
  };
  const actor = (request: FastifyRequest) => session(request).principal;
  const frame = (request: FastifyRequest, reply: FastifyReply) => ({
    who: actor(request).displayName,
    csrf: reply.generateCsrf({ userInfo: String(session(request).id) }),
    message: done(request.query),
  });

  /**
   * A form that changes something and goes back to a page: the body is closed and carries the
   * CSRF token (checked by the preValidation hook before anything else), the signed-in
   * principal runs one use case (which checks the rights on every unit it touches), and the
   * browser is sent to the page `run` names. A form with `again` keeps what was typed: when the
   * use case refuses it (a date typed wrong, a count missing), `again` renders the page the form
   * lives on, that form filled in as typed and the reason above it; nothing has changed.
   */
  const consoleAction = <P extends TProperties, B extends TProperties = Record<never, never>>(
    path: string,
    schema: { params: TObject<P>; body?: B; again?: PageAgain },
    run: (input: { params: Static<TObject<P>>; body: Static<TObject<B>>; actor: Principal }) => Promise<string>,
  ) =>
    app.post(
      path,
      {
        schema: {
          response: { ...REDIRECT, ...PAGE },
          hide,
          params: schema.params,
          body: Closed({ _csrf: Csrf, ...schema.body }),
        },
      },
      async (request, reply) => {
        const input = { params: request.params, body: request.body, actor: actor(request) };
        try {
          return reply.redirect(await run(input as Parameters<typeof run>[0]), 303);
        } catch (e) {
          if (!schema.again || !(e instanceof AppError) || !REFILLABLE(e)) throw e;
          const { _csrf, ...values } = request.body as Record<string, string | string[] | undefined>;
          const refused = {
            action: request.url.split('?')[0],
            values,
            error: `${e.message} Chưa lưu gì; xin sửa rồi gửi lại.`,
          };
          return html(reply.status(e.httpStatus), await schema.again(request, reply, refused));
        }
      },
    );
  type PageAgain = (request: FastifyRequest, reply: FastifyReply, refused: RefusedForm) => Promise<string>;
  /** Refusals about what was typed; a caller without the right, or a unit that is not there, gets its own page. */
  const REFILLABLE = (e: AppError) => !['forbidden', 'unauthorized', 'not_found'].includes(e.code);
  const idOf = (request: FastifyRequest) => (request.params as { id: number }).id;
  const meetingPageAgain: PageAgain = async (request, reply, refused) => {
    const record = await getMeetingRecord(deps, actor(request), idOf(request));
    reply.header('content-security-policy', CSP_WITH_COUNT_SCRIPT);
    return meetingRecordPage(record, { ...frame(request, reply), refused });
  };
  const feedbackPageAgain: PageAgain = async (request, reply, refused) => {
    const unitId = Number((request.body as { unitId: string | number }).unitId);
    const rows = (await listFeedback(deps, actor(request), { orgId: unitId })) as FeedbackRow[];
    const unit = await readableUnit(deps, actor(request), unitId);
    const times = await getFeedbackTimes(deps, actor(request), unit.id);
    return feedbackPage(unit, rows, times, { ...frame(request, reply), refused });
  };
  const monthPageAgain: PageAgain = async (request, reply, refused) => {
    const month = await getMeetingsMonth(deps, actor(request), idOf(request), thisMonth(deps.clock.now()));
    return meetingsMonthPage(month, { ...frame(request, reply), refused });
  };

  /**
   * A form with files (multipart, on a route listed in http/uploads.ts): its fields and files
   * within the bounds, then the CSRF token — a field of that body — checked as for every other
   * form, and the fields checked against the form's closed schema, before anything is used.
   * Call it after the rights check on the unit, so a refused caller's file is never read.
   */
  const readUploadForm = async <F extends TProperties>(
    request: FastifyRequest,
    reply: FastifyReply,
    fields: F,
    limits: { files: number; fileSize: number },
  ) => {
    if (!request.isMultipart()) throw invalid('file', 'Biểu mẫu gửi tệp phải ở dạng multipart/form-data.');
    const form = await readMultipartForm(request, limits);
    request.body = { _csrf: form.fields._csrf ?? '' };
    await checkCsrf(request, reply);
    const schema = Closed({ _csrf: Csrf, ...fields });
    const check = validatorCompiler({ schema, method: 'POST', url: request.url, httpPart: 'body' }) as ((
      v: unknown,
    ) => boolean) & { errors?: ErrorObject[] | null };
    if (!check(form.fields)) {
      const e = describeValidationError(check.errors!, 'body');
      throw invalid(e.field, e.message);
    }
    return { fields: form.fields as Static<TObject<F>>, files: form.files };
  };

  // ─── sign-in, sessions ────────────────────────────────────────────────────────────
  app.get(
    '/console/login/:token',
    { schema: { response: PAGE, hide, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const valid = await checkConsoleLink(deps, request.params.token);
      const csrfToken = valid ? reply.generateCsrf({ userInfo: SIGN_IN }) : '';
      return html(reply.status(valid ? 200 : 401), loginPage(request.params.token, valid, csrfToken));
    },
  );

  app.post(
    '/console/login',
    { schema: { response: REDIRECT, hide, body: Closed({ _csrf: Csrf, token: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const s = await openConsoleSession(deps, request.body.token, request.headers['user-agent'] ?? null);
      reply.setCookie(SESSION_COOKIE, s.sessionToken, {
        path: '/console',
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: SESSION_HOURS * 3600,
      });
      return reply.redirect('/console', 303);
    },
  );

  app.post(
    '/console/logout',
    { schema: { response: PAGE, hide, body: Closed({ _csrf: Csrf }) } },
    async (request, reply) => {
      const s = session(request);
      await endConsoleSession(deps, s.principal, s.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/console' });
      return html(
        reply,
        page(
          { title: 'Đã đăng xuất' },
          '<h1>Đã đăng xuất</h1><p>Phiên làm việc đã kết thúc. Muốn vào lại, hãy nhắn "quản trị" cho bot.</p>',
        ),
      );
    },
  );

  app.get('/console', { schema: { response: PAGE, hide } }, async (request, reply) => {
    const f = frame(request, reply);
    return html(reply, homePage(f.who, f.csrf, await listRoleGrants(deps.db, actor(request).id)));
  });

  app.get('/console/sessions', { schema: { response: PAGE, hide } }, async (request, reply) => {
    const f = frame(request, reply);
    const rows = await listConsoleSessions(deps, actor(request));
    return html(reply, sessionsPage(f.who, f.csrf, session(request).id, rows, f.message));
  });

  consoleAction('/console/sessions/:id/end', { params: IdParams }, async ({ params, actor }) => {
    await endConsoleSession(deps, actor, params.id);
    return '/console/sessions?done=ended';
  });

  // ─── roles and the audit log ─────────────────────────────────────────────────────
  app.get(
    '/console/units/:id/roles',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const grants = await listUnitRoles(deps, actor(request), request.params.id);
      const unit = await readableUnit(deps, actor(request), request.params.id);
      return html(reply, rolesPage(unit, grants, f));
    },
  );

  consoleAction(
    '/console/roles/:id/remove',
    { params: IdParams, body: { unitId: FormId } },
    async ({ params, body, actor }) => {
      await removeRole(deps, actor, params.id);
      return `/console/units/${body.unitId}/roles?done=removed`;
    },
  );

  app.get(
    '/console/units/:id/audit',
    {
      schema: {
        response: PAGE,
        hide,
        params: IdParams,
        querystring: Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1 })) }),
      },
    },
    async (request, reply) => {
      const f = frame(request, reply);
      const r = await listUnitAudit(deps, actor(request), request.params.id, request.query.before ?? null);
      return html(reply, auditPage(r.unit, r.rows, { ...f, more: r.rows.length === AUDIT_PAGE_SIZE }));
    },
  );

  // ─── dashboard, exports, report ──────────────────────────────────────────────────
  app.get(
    '/console/units/:id',
    {
      schema: {
        response: PAGE,
        tags,
        hide,
        params: IdParams,
        querystring: Type.Object({ done: Type.Optional(Text(20)) }),
      },
    },
    async (request, reply) => html(reply, await dashboardPageFor(request, reply)),
  );
  const dashboardPageFor = async (request: FastifyRequest, reply: FastifyReply, refused?: RefusedForm) => {
    const f = frame(request, reply);
    const [d, canExclude, canEditDocuments, canSetDocuments] = await Promise.all([
      getUnitDashboard(deps, actor(request), idOf(request)),
      hasRole(deps.db, actor(request).id, idOf(request), CAN.manageOrgs),
      hasRole(deps.db, actor(request).id, idOf(request), CAN.editDocuments),
      hasRole(deps.db, actor(request).id, idOf(request), CAN.publish),
    ]);
    const documents = await getDocumentSettings(deps.db, d.unit.id, `${thisMonth(deps.clock.now())}-01`);
    const months = lastMonths(deps.clock.now(), 12);
    const report = { documents, canSetDocuments, months };
    return dashboardPage(d, { ...f, canExclude, canEditDocuments, report, refused });
  };

  consoleAction(
    '/console/units/:id/exclusions',
    {
      params: IdParams,
      body: {
        orgId: FormId,
        deployed: Type.Union([Type.Literal('true'), Type.Literal('false')]),
        reason: Type.Optional(Text(500)),
      },
      again: dashboardPageFor,
    },
    async ({ params, body, actor }) => {
      await setOrgDeployment(deps, actor, Number(body.orgId), {
        deployed: body.deployed === 'true',
        reason: body.reason ?? null,
      });
      return `/console/units/${params.id}?done=excluded`;
    },
  );

  app.get(
    '/console/units/:id/units.:format',
    { schema: { response: FILE, hide, params: Type.Object({ id: Id, format: Format }) } },
    async (request, reply) =>
      sendDownload(reply, await exportUnitTable(deps, actor(request), request.params.id, request.params.format)),
  );

  app.get(
    '/console/units/:id/members.:format',
    { schema: { response: FILE, hide, params: Type.Object({ id: Id, format: Format }) } },
    async (request, reply) =>
      sendDownload(reply, await exportMembers(deps, actor(request), request.params.id, request.params.format)),
  );

  app.get(
    '/console/units/:id/report.docx',
    {
      schema: {
        response: FILE,
        hide,
        params: IdParams,
        // The number in the issuer's register; a form left empty sends "" (the office writes it in by hand).
        querystring: Type.Object({
          month: Type.Optional(Month),
          number: Type.Optional(Type.String({ pattern: '^[0-9]{0,5}$' })),
        }),
      },
    },
    async (request, reply) => {
      const month = request.query.month ?? thisMonth(deps.clock.now());
      const number = request.query.number ? Number(request.query.number) : null;
      const r = await buildProgressReport(deps, actor(request), request.params.id, month, number);
      return sendDownload(reply, { ...r, contentType: DOCUMENT_CONTENT_TYPES.docx });
    },
  );

  consoleAction(
    '/console/units/:id/document-settings',
    {
      params: IdParams,
      body: {
        issuerName: Type.Optional(Text(200)),
        locality: Type.Optional(Text(100)),
        signerName: Type.Optional(Text(200)),
        signerTitle: Type.Union([Type.Literal(''), Type.Literal('secretary'), Type.Literal('deputy_secretary')]),
      },
      again: dashboardPageFor,
    },
    async ({ params, body, actor }) => {
      await saveDocumentSettings(deps, actor, params.id, {
        issuerName: body.issuerName ?? null,
        locality: body.locality ?? null,
        signerName: body.signerName ?? null,
        signerTitle: body.signerTitle || null,
      });
      return `/console/units/${params.id}?done=documents`;
    },
  );

  // ─── meetings ────────────────────────────────────────────────────────────────────
  app.get(
    '/console/units/:id/meetings',
    {
      schema: {
        response: PAGE,
        hide,
        params: IdParams,
        querystring: Type.Object({ month: Type.Optional(Month), done: Type.Optional(Text(20)) }),
      },
    },
    async (request, reply) => {
      const f = frame(request, reply);
      const month = request.query.month ?? thisMonth(deps.clock.now());
      return html(reply, meetingsMonthPage(await getMeetingsMonth(deps, actor(request), request.params.id, month), f));
    },
  );

  app.get(
    '/console/units/:id/meetings.:format',
    {
      schema: {
        response: FILE,
        hide,
        params: Type.Object({ id: Id, format: Format }),
        querystring: Type.Object({ month: Type.Optional(Month) }),
      },
    },
    async (request, reply) => {
      const month = request.query.month ?? thisMonth(deps.clock.now());
      const { id, format } = request.params;
      return sendDownload(reply, await exportMeetingsTable(deps, actor(request), id, month, format));
    },
  );

  consoleAction(
    '/console/units/:id/meetings',
    {
      params: IdParams,
      body: {
        kind: Type.Union([Type.Literal('regular'), Type.Literal('thematic'), Type.Literal('combined')]),
        startsAt: Text(30),
        mode: Type.Union([Type.Literal('in_person'), Type.Literal('online'), Type.Literal('hybrid')]),
        topic: Type.Optional(Text(300)),
        place: Type.Optional(Text(300)),
        agenda: Type.Optional(Text(9000)),
      },
      again: monthPageAgain,
    },
    async ({ params, body, actor }) => {
      const agenda = agendaFromText(body.agenda ?? '');
      if (agenda.length > MAX_AGENDA_ITEMS) throw invalid('agenda', `Nội dung họp tối đa ${MAX_AGENDA_ITEMS} mục.`);
      const m = await scheduleMeeting(deps, actor, {
        cellId: params.id,
        kind: body.kind,
        startsAt: vietnamTime(body.startsAt, 'startsAt'),
        mode: body.mode,
        topic: body.topic?.trim() || null,
        place: body.place?.trim() || null,
        agenda,
      });
      return `/console/meetings/${m.id}?done=scheduled`;
    },
  );

  app.get(
    '/console/meetings/:id',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const record = await getMeetingRecord(deps, actor(request), request.params.id);
      return html(reply.header('content-security-policy', CSP_WITH_COUNT_SCRIPT), meetingRecordPage(record, f));
    },
  );

  app.get(
    '/console/meetings/:id/progress',
    {
      schema: {
        hide,
        params: IdParams,
        response: {
          200: Type.Record(
            Type.String(),
            Type.Object({ received: Type.Integer(), missing: Type.Array(Type.String()) }),
          ),
        },
      },
    },
    async (request) => getMeetingProgress(deps, actor(request), request.params.id),
  );

  const Confirm = { confirm: Type.Optional(Type.Literal('1')) };
  consoleAction('/console/meetings/:id/open', { params: IdParams, body: Confirm }, async ({ params, body, actor }) => {
    await openMeeting(deps, actor, params.id, { confirmEarly: body.confirm === '1' });
    return `/console/meetings/${params.id}?done=opened`;
  });
  consoleAction('/console/meetings/:id/close', { params: IdParams, body: Confirm }, async ({ params, body, actor }) => {
    await closeMeeting(deps, actor, params.id, { confirm: body.confirm === '1' });
    return `/console/meetings/${params.id}?done=closed`;
  });

  const OneOrMany = (s: ReturnType<typeof Type.String>) => Type.Union([s, Type.Array(s, { maxItems: 210 })]);
  const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  consoleAction(
    '/console/meetings/:id/roll',
    {
      params: IdParams,
      body: {
        present: Type.Optional(OneOrMany(FormId)),
        absentId: Type.Optional(OneOrMany(FormId)),
        reason: Type.Optional(OneOrMany(Type.String({ pattern: '^(|trip|ill|family|none)$' }))),
      },
    },
    async ({ params, body, actor }) => {
      const ids = many(body.absentId);
      const reasons = many(body.reason);
      if (ids.length !== reasons.length) throw invalid('reason', 'Biểu mẫu điểm danh không đầy đủ, xin tải lại trang.');
      await recordRoll(deps, actor, {
        meetingId: params.id,
        present: many(body.present).map(Number),
        absences: ids.map((id, i) => ({ memberId: Number(id), reason: reasons[i] })),
      });
      return `/console/meetings/${params.id}?done=roll#diem-danh`;
    },
  );
  consoleAction(
    '/console/meetings/:id/check-in',
    { params: IdParams, body: { memberId: FormId } },
    async ({ params, body, actor }) => {
      await checkIn(deps, actor, { meetingId: params.id, memberId: Number(body.memberId), method: 'secretary' });
      return `/console/meetings/${params.id}?done=checked`;
    },
  );

  consoleAction(
    '/console/meetings/:id/motions',
    {
      params: IdParams,
      body: {
        kind: Type.Union(DECISION_KINDS.map((k) => Type.Literal(k))),
        title: Type.String({ minLength: 1, maxLength: 500 }),
        ballot: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('open'), Type.Literal('secret')])),
        subjectMemberId: Type.Optional(Type.String({ pattern: '^[0-9]{0,9}$' })),
      },
      again: meetingPageAgain,
    },
    async ({ params, body, actor }) => {
      await openMotion(deps, actor, {
        meetingId: params.id,
        kind: body.kind as DecisionKind,
        title: body.title.trim(),
        ballot: body.ballot || undefined,
        subjectMemberId: body.subjectMemberId ? Number(body.subjectMemberId) : undefined,
      });
      return `/console/meetings/${params.id}?done=motion`;
    },
  );

  // The room's paper count of a secret ballot: one number per choice (or election figure), in pairs of fields.
  const MotionParams = Type.Object({ id: Id, motionId: Id });
  consoleAction(
    '/console/meetings/:id/motions/:motionId/paper',
    {
      params: MotionParams,
      body: {
        key: OneOrMany(Type.String({ pattern: '^([a-z_]{2,20}|[0-9]{1,10})$' })),
        count: OneOrMany(Type.String({ pattern: '^[0-9]{1,4}$' })),
        countingCommittee: Type.Optional(Text(500)),
      },
      again: meetingPageAgain,
    },
    async ({ params, body, actor }) => {
      const keys = many(body.key);
      const counts = many(body.count);
      if (keys.length !== counts.length) throw invalid('count', 'Nhập đủ số phiếu cho từng ô.');
      await recordPaperBallots(deps, actor, {
        motionId: params.motionId,
        counts: Object.fromEntries(keys.map((k, i) => [k, Number(counts[i])])),
        countingCommittee: body.countingCommittee,
      });
      return `/console/meetings/${params.id}?done=paper`;
    },
  );
  consoleAction('/console/meetings/:id/motions/:motionId/paper-none', { params: MotionParams }, async (a) => {
    await recordPaperBallots(deps, a.actor, { motionId: a.params.motionId, none: true });
    return `/console/meetings/${a.params.id}?done=paper`;
  });
  consoleAction(
    '/console/meetings/:id/counting-committee',
    { params: IdParams, body: { memberId: Type.Optional(OneOrMany(FormId)) } },
    async ({ params, body, actor }) => {
      await nameCountingCommittee(deps, actor, { meetingId: params.id, memberIds: many(body.memberId).map(Number) });
      return `/console/meetings/${params.id}?done=counters`;
    },
  );
  consoleAction(
    '/console/meetings/:id/officers',
    {
      params: IdParams,
      // "— chưa chọn —" sends "": the form asks again rather than a bare 400.
      body: { chairMemberId: MaybeFormId, minuteTakerMemberId: MaybeFormId },
      again: meetingPageAgain,
    },
    async ({ params, body, actor }) => {
      if (!body.chairMemberId) throw invalid('chairMemberId', 'Xin chọn đồng chí chủ trì.');
      if (!body.minuteTakerMemberId) throw invalid('minuteTakerMemberId', 'Xin chọn đồng chí thư ký.');
      await setMeetingOfficers(deps, actor, {
        meetingId: params.id,
        chairMemberId: Number(body.chairMemberId),
        minuteTakerMemberId: Number(body.minuteTakerMemberId),
      });
      return `/console/meetings/${params.id}?done=officers`;
    },
  );
  consoleAction(
    '/console/meetings/:id/agenda',
    { params: IdParams, body: { items: Text(9000) }, again: meetingPageAgain },
    async ({ params, body, actor }) => {
      await setAgenda(deps, actor, { meetingId: params.id, items: agendaFromText(body.items) });
      return `/console/meetings/${params.id}?done=agenda`;
    },
  );
  consoleAction('/console/meetings/:id/minutes/approve', { params: IdParams }, async ({ params, actor }) => {
    await approveMinutes(deps, actor, params.id);
    return `/console/meetings/${params.id}?done=approved`;
  });

  consoleAction(
    '/console/meetings/:id/motions/:motionId/close',
    { params: Type.Object({ id: Id, motionId: Id }), body: Confirm },
    async ({ params, body, actor }) => {
      await closeMotion(deps, actor, params.motionId, { confirm: body.confirm === '1' });
      return `/console/meetings/${params.id}?done=result`;
    },
  );

  consoleAction(
    '/console/meetings/:id/documents',
    {
      params: IdParams,
      body: { title: Type.String({ minLength: 1, maxLength: 300 }), body: Text(200_000) },
      again: meetingPageAgain,
    },
    async ({ params, body, actor }) => {
      await attachDocument(deps, actor, {
        meetingId: params.id,
        title: body.title.trim(),
        body: body.body.trim() || undefined,
      });
      return `/console/meetings/${params.id}?done=document`;
    },
  );

  consoleAction(
    '/console/meetings/:id/resolution',
    {
      params: IdParams,
      body: {
        body: Type.String({ minLength: 1, maxLength: 50_000 }),
        assigneeMemberId: Type.Optional(FormId),
        taskTitle: Type.Optional(Text(500)),
        dueOn: Type.Optional(Text(30)),
      },
      again: meetingPageAgain,
    },
    async ({ params, body: b, actor }) => {
      const title = b.taskTitle?.trim();
      if (title && !b.dueOn) throw invalid('dueOn', 'Nhiệm vụ cần có hạn hoàn thành.');
      await adoptResolution(deps, actor, {
        meetingId: params.id,
        body: b.body,
        tasks:
          title && b.assigneeMemberId
            ? [{ assigneeMemberId: Number(b.assigneeMemberId), title, dueOn: typedDate(b.dueOn!, 'dueOn') }]
            : [],
      });
      return `/console/meetings/${params.id}?done=resolution`;
    },
  );

  app.get(
    '/console/meetings/:id/minutes.:format',
    { schema: { response: FILE, hide, params: Type.Object({ id: Id, format: DocumentFormatParam }) } },
    async (request, reply) => {
      const { id, format } = request.params;
      return sendDocument(reply, await generateMinutes(deps, actor(request), id, format), `bien-ban-${id}`, format);
    },
  );

  // ─── members import and export, the assistant's open questions ───────────────────
  app.get(
    '/console/units/:id/members',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const unit = await readableUnit(deps, actor(request), request.params.id);
      return html(reply, membersPage(unit, f));
    },
  );

  app.post(
    '/console/units/:id/members/import',
    // Takes a file (api/http/uploads.ts refuses multipart elsewhere), within the default body limit.
    { config: { upload: true }, schema: { response: PAGE, hide, params: IdParams } },
    async (request, reply) => {
      if (!request.isMultipart()) throw invalid('file', 'Hãy chọn tệp CSV hoặc XLSX để nhập.');
      const unit = await readableUnit(deps, actor(request), request.params.id);
      const form = await readUploadForm(
        request,
        reply,
        { mode: Type.Optional(Type.Union([Type.Literal('preview'), Type.Literal('apply')])) },
        { files: 1, fileSize: DEFAULT_BODY_LIMIT },
      );
      const file = form.files.find((x) => x.field === 'file');
      const f = frame(request, reply);
      if (!file || file.data.length === 0) {
        return html(reply.status(400), membersPage(unit, { ...f, error: 'Chưa chọn tệp để nhập.' }));
      }
      const format = /\.xlsx$/i.test(file.filename) ? 'xlsx' : 'csv';
      const draft = { fileName: file.filename, format, data: file.data } as const;
      return importAndShow(request, reply, unit, draft, form.fields.mode === 'preview');
    },
  );

  // "Nhập danh sách này" under a preview: the file the preview read, kept for this session.
  app.post(
    '/console/units/:id/members/import-draft',
    { schema: { response: PAGE, hide, params: IdParams, body: Closed({ _csrf: Csrf, draft: Text(40) }) } },
    async (request, reply) => {
      const unit = await readableUnit(deps, actor(request), request.params.id);
      const owner = { sessionId: session(request).id, unitId: unit.id };
      try {
        const draft = await takeImportDraft(deps.db, owner, request.body.draft, deps.clock.now());
        return importAndShow(request, reply, unit, draft, false);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'gone') throw e;
        return html(reply.status(e.httpStatus), membersPage(unit, { ...frame(request, reply), error: e.message }));
      }
    },
  );
  /** Previews or imports a member list; the page says what it adds and changes, or which lines to fix. */
  const importAndShow = async (
    request: FastifyRequest,
    reply: FastifyReply,
    unit: UnitRow,
    file: ImportDraft,
    preview: boolean,
  ) => {
    const f = frame(request, reply);
    try {
      const r = await importMembers(deps, actor(request), unit.id, file, { preview });
      const counts = `thêm ${r.imported}, cập nhật ${r.updated}, giữ nguyên ${r.unchanged} đảng viên`;
      if (!preview) {
        const message = `Đã ${counts}. Tệp: ${file.fileName}.`;
        return html(reply, membersPage(unit, { ...f, message, result: r }));
      }
      const owner = { sessionId: session(request).id, unitId: unit.id };
      const draft = await keepImportDraft(deps.db, owner, file, deps.clock.now());
      const message =
        `Xem trước tệp ${file.fileName} (chưa lưu): sẽ ${counts}. ` +
        `Nếu đúng, bấm “Nhập danh sách này” dưới bảng (trong ${DRAFT_MINUTES} phút).`;
      return html(reply, membersPage(unit, { ...f, message, result: r, draft }));
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'forbidden') throw e;
      const problems = (e.data as { problems?: ImportProblem[] } | undefined)?.problems ?? [];
      return html(reply.status(e.httpStatus), membersPage(unit, { ...f, error: e.message, problems }));
    }
  };

  app.get(
    '/console/units/:id/questions',
    {
      schema: {
        response: PAGE,
        hide,
        params: IdParams,
        querystring: Type.Object({
          filter: Type.Optional(Type.Union([Type.Literal('unanswered'), Type.Literal('poor')])),
          done: Type.Optional(Text(20)),
        }),
      },
    },
    async (request, reply) => {
      const f = frame(request, reply);
      const filter = request.query.filter ?? 'unanswered';
      const r = await listQuestionsForEditor(deps, actor(request), request.params.id, filter);
      return html(reply, questionsPage(r.unit, filter, r.rows, f, r.articles));
    },
  );

  consoleAction(
    '/console/documents/:id/withdraw',
    { params: IdParams, body: { unitId: FormId } },
    async ({ params, body, actor }) => {
      await withdrawDocument(deps, actor, params.id);
      return `/console/units/${body.unitId}/knowledge?done=withdrawn`;
    },
  );

  consoleAction(
    '/console/units/:id/lessons',
    {
      params: IdParams,
      body: {
        questionId: FormId,
        chunkId: Type.String({ pattern: '^[0-9]{1,12}$' }),
        note: Type.Optional(Type.String({ maxLength: 1000 })),
      },
    },
    async ({ params, body, actor }) => {
      await teachAnswer(deps, actor, params.id, {
        questionId: Number(body.questionId),
        chunkId: Number(body.chunkId),
        note: body.note,
      });
      return `/console/units/${params.id}/questions?done=taught`;
    },
  );

  app.get(
    '/console/units/:id/knowledge',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => html(reply, await knowledgePageFor(request, reply)),
  );
  const knowledgePageFor = async (request: FastifyRequest, reply: FastifyReply, refused?: RefusedForm) => {
    const f = frame(request, reply);
    const k = await listUnitKnowledge(deps, actor(request), idOf(request));
    reply.header('content-security-policy', CSP_WITH_UPLOAD_SCRIPT);
    const limits = { maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024, extensions: SUPPORTED_EXTENSIONS };
    return knowledgePage(k, { ...f, ...limits, refused });
  };

  app.post(
    '/console/units/:id/knowledge',
    // A file of up to MAX_UPLOAD_BYTES, as through the API (http/uploads.ts sets the limit).
    { schema: { response: { ...REDIRECT, ...PAGE }, hide, params: IdParams } },
    async (request, reply) => {
      // The right on the unit first, as the API does: a refused caller's file is never read.
      await assertMayLoadDocuments(deps, actor(request), request.params.id);
      const form = await readUploadForm(
        request,
        reply,
        { title: Type.Optional(Text(300)) },
        { files: 1, fileSize: MAX_UPLOAD_BYTES },
      );
      const file = form.files.find((x) => x.field === 'file');
      try {
        if (!file || file.data.length === 0) throw invalid('file', 'Chưa chọn tệp tài liệu để tải lên.');
        await assertUploadWithinBounds(file);
        const title = form.fields.title;
        const { jobId } = await loadDocument(deps, actor(request), request.params.id, file, { title });
        return reply.redirect(`/console/knowledge/jobs/${jobId}`, 303);
      } catch (e) {
        // A file refused (empty, of a kind not read, past a bound): the page again, the title as typed.
        if (!(e instanceof AppError) || !REFILLABLE(e)) throw e;
        const refused = {
          action: request.url.split('?')[0],
          values: { title: form.fields.title },
          error: `${e.message} Chưa tải lên; xin chọn lại tệp.`,
        };
        return html(reply.status(e.httpStatus), await knowledgePageFor(request, reply, refused));
      }
    },
  );

  app.get(
    '/console/knowledge/jobs/:id',
    { schema: { response: PAGE, hide, params: IdParams } },
    async (request, reply) => {
      const f = frame(request, reply);
      const job = await getIngestJobOfUnit(deps, actor(request), request.params.id);
      const [unit] = job.orgId ? await findUnits(deps.db, [job.orgId]) : [];
      return html(reply, ingestJobPage(job, unit?.name ?? null, f));
    },
  );

  app.get(
    '/console/knowledge/jobs/:id/status',
    {
      schema: {
        hide,
        params: IdParams,
        response: {
          200: Type.Object({
            id: Id,
            status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
            filename: Type.String(),
            chunks: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
            error: Type.Union([Type.String(), Type.Null()]),
          }),
          '4xx': PAGE['4xx'],
        },
      },
    },
    async (request) => {
      const job = await getIngestJob(deps, actor(request), request.params.id);
      const chunks = (job.result as { chunks?: number } | null)?.chunks;
      return { id: job.id, status: job.status, filename: job.filename, chunks: chunks ?? null, error: job.error };
    },
  );

  // ─── notices and feedback ────────────────────────────────────────────────────────
  app.get(
    '/console/units/:id/notices',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const r = await listNoticesOfUnit(deps, actor(request), request.params.id);
      return html(reply, noticesPage(r.unit, r.notices, { ...f, canPublish: r.canPublish, limits: NOTICE_LIMITS }));
    },
  );

  app.post(
    '/console/units/:id/notices',
    // Multipart: the text fields and up to MAX_ATTACHMENTS files (http/uploads.ts sets the body limit).
    { schema: { response: { ...REDIRECT, ...PAGE }, hide, params: IdParams } },
    async (request, reply) => {
      // The right to publish first, as publishNotice checks it: a refused caller's files are never read.
      await assertMayPublish(deps, actor(request), request.params.id);
      const form = await readUploadForm(request, reply, NoticeForm, {
        files: MAX_ATTACHMENTS,
        fileSize: MAX_ATTACHMENT_BYTES,
      });
      const b = form.fields;
      try {
        const n = await publishNotice(deps, actor(request), {
          orgId: request.params.id,
          kind: b.kind as NoticeKind,
          title: b.title,
          body: b.body,
          officialOnly: b.officialOnly === '1',
          ackDueOn: b.ackDueOn ? typedDate(b.ackDueOn, 'ackDueOn') : null,
          publishAt: b.publishAt ? vietnamTime(b.publishAt, 'publishAt') : null,
          attachments: form.files
            .filter((a) => a.field === 'attachments')
            .map((a) => ({ filename: a.filename, mime: a.mimetype, data: a.data })),
        });
        // No date asked for, yet not sent now: published in the quiet hours, it goes when they end.
        const deferred = !b.publishAt && n.publishAt.getTime() > deps.clock.now().getTime();
        return reply.redirect(`/console/notices/${n.id}?done=${deferred ? 'deferred' : 'published'}`, 303);
      } catch (e) {
        // A bad attachment or date: the form again, with what was typed and why it was refused.
        if (!(e instanceof AppError) || e.code === 'forbidden' || e.code === 'unauthorized') throw e;
        const r = await listNoticesOfUnit(deps, actor(request), request.params.id);
        const f = frame(request, reply);
        const page = noticesPage(r.unit, r.notices, {
          ...f,
          canPublish: r.canPublish,
          limits: NOTICE_LIMITS,
          error: e.message,
          values: b,
        });
        return html(reply.status(e.httpStatus), page);
      }
    },
  );

  app.get(
    '/console/notices/:id',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const stats = await getNoticeStats(deps, actor(request), request.params.id);
      const readers = await listNoticeUnread(deps, actor(request), request.params.id);
      const options = { ...f, reminderGapHours: MANUAL_REMINDER_GAP_HOURS, now: deps.clock.now() };
      return html(reply, noticeStatsPage(stats, options, readers));
    },
  );

  consoleAction('/console/notices/:id/remind', { params: IdParams }, async ({ params, actor }) => {
    await remindNotice(deps, actor, params.id);
    return `/console/notices/${params.id}?done=reminded`;
  });

  app.get(
    '/console/units/:id/feedback',
    { schema: { response: PAGE, hide, params: IdParams, querystring: Type.Object({ done: Type.Optional(Text(20)) }) } },
    async (request, reply) => {
      const f = frame(request, reply);
      const rows = (await listFeedback(deps, actor(request), { orgId: request.params.id })) as FeedbackRow[];
      const unit = await readableUnit(deps, actor(request), request.params.id);
      return html(reply, feedbackPage(unit, rows, await getFeedbackTimes(deps, actor(request), unit.id), f));
    },
  );

  consoleAction(
    '/console/feedback/:id/answer',
    {
      params: IdParams,
      body: {
        unitId: FormId,
        answer: Type.String({ minLength: 1, maxLength: 4000 }),
      },
      again: feedbackPageAgain,
    },
    async ({ params, body, actor }) => {
      await updateFeedback(deps, actor, params.id, { status: 'answered', answer: body.answer.trim() });
      return `/console/units/${body.unitId}/feedback?done=answered`;
    },
  );
};

function html(reply: FastifyReply, body: string) {
  return reply.header('content-type', 'text/html; charset=utf-8').send(body);
}

/** "10/03/2026 19:30" (or "2026-03-10T19:30") typed in a form means Vietnam time. */
function vietnamTime(typed: string, field: string): Date {
  const local = readVnDateTime(typed);
  const d = local ? new Date(`${local}:00+07:00`) : null;
  if (!d || Number.isNaN(d.getTime())) {
    throw invalid(field, 'Ngày giờ không hợp lệ: xin nhập ngày/tháng/năm giờ:phút, ví dụ 05/12/2026 19:30.');
  }
  return d;
}

/** "31/12/2026" (or "2026-12-31") typed in a form → "2026-12-31". */
function typedDate(typed: string, field: string): string {
  const day = readVnDate(typed);
  if (!day) throw invalid(field, 'Ngày không hợp lệ: xin nhập ngày/tháng/năm, ví dụ 31/12/2026.');
  return day;
}

function thisMonth(now: Date): string {
  return vietnamDate(now).slice(0, 7);
}
