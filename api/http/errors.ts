import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { describeValidationError } from './validation.ts';
import { isConnectionError } from '../db/connect.ts';
import { errorPage, sendPage, wantsHtml } from './public-page.ts';

/** The page title a browser sees for each refusal. */
const PAGE_TITLES: Record<string, string> = {
  forbidden: 'Không mở được trang này',
  unauthorized: 'Cần đăng nhập',
  not_found: 'Không tìm thấy',
  conflict: 'Không thực hiện được',
  rate_limited: 'Xin đợi một lát',
};

/** Seconds a client should wait before retrying while the database is unreachable. */
const RETRY_AFTER_SECONDS = 5;

/** What an error answers: its status, its JSON body, and any header (nothing internal leaks). */
export interface HttpErrorAnswer {
  status: number;
  body: { error: string; message: string; field?: string; data?: unknown };
  headers?: Record<string, string>;
}

/**
 * Maps every error to `{ error, message, field?, data? }` with the right status; nothing internal
 * leaks. A browser (it asks for text/html: a notice or document link, an address typed by hand)
 * gets the same message as a Vietnamese page instead.
 */
export function handleHttpError(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  const answer = describeHttpError(error, request);
  if (wantsHtml(request)) return sendErrorPage(reply, answer);
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  return reply.status(answer.status).send(answer.body);
}

/** The answer as a Vietnamese page, for a browser. */
export function sendErrorPage(reply: FastifyReply, answer: HttpErrorAnswer) {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  const title = PAGE_TITLES[answer.body.error] ?? 'Không thực hiện được';
  return sendPage(reply, answer.status, errorPage(title, answer.body.message));
}

/** The answer to an error, logged as it must be; routes that answer pages render it as HTML. */
export function describeHttpError(error: FastifyError | AppError | Error, request: FastifyRequest): HttpErrorAnswer {
  if (error instanceof AppError) {
    if (error.detail) request.log.info({ code: error.code, detail: error.detail }, 'request refused');
    return {
      status: error.httpStatus,
      body: { error: error.code, message: error.message, field: error.field, data: error.data },
    };
  }
  const fe = error as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    const { field, message } = describeValidationError(fe.validation as ErrorObject[], fe.validationContext);
    return { status: 400, body: { error: 'validation', message, field } };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { error: 'payload_too_large', message: 'Dữ liệu gửi lên quá lớn (payload too large).' },
    };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: { error: 'unsupported_media_type', message: 'Định dạng dữ liệu không được hỗ trợ.' } };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // e.g. malformed JSON; Fastify's message names the problem, not our internals.
    return { status: fe.statusCode, body: { error: 'bad_request', message: `Yêu cầu không hợp lệ: ${fe.message}` } };
  }
  if (isConnectionError(error)) {
    // The database is restarting or the connection was lost: nothing was accepted; try again.
    request.log.warn(
      { err: { name: error.name, code: (error.cause as { code?: string })?.code } },
      'database unavailable',
    );
    return {
      status: 503,
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      body: { error: 'unavailable', message: 'Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.' },
    };
  }
  request.log.error({ err: error }, 'unhandled error');
  return { status: 500, body: { error: 'internal', message: 'Lỗi hệ thống, vui lòng thử lại sau.' } };
}

/** An address nobody serves: a page for a browser, JSON for an API client. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  if (wantsHtml(request)) {
    return sendPage(
      reply,
      404,
      errorPage(
        'Không tìm thấy trang',
        'Địa chỉ đồng chí mở không có trên hệ thống; có thể đường dẫn bị gõ sai hoặc bị cắt mất một phần. ' +
          'Xin mở lại từ tin nhắn của bot, hoặc bắt đầu từ trang đầu.',
      ),
    );
  }
  return reply.status(404).send({ error: 'not_found', message: 'Không có địa chỉ này trên hệ thống.' });
}
