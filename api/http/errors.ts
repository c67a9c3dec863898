import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { describeValidationError } from './validation.ts';
import { isConnectionError } from '../db/connect.ts';

/** Seconds a client should wait before retrying while the database is unreachable. */
const RETRY_AFTER_SECONDS = 5;

/** Maps every error to `{ error, message, field?, data? }` with the right status; nothing internal leaks. */
export function handleHttpError(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    if (error.detail) request.log.info({ code: error.code, detail: error.detail }, 'request refused');
    return reply
      .status(error.httpStatus)
      .send({ error: error.code, message: error.message, field: error.field, data: error.data });
  }
  const fe = error as FastifyError;
  if (fe.validation && fe.validation.length > 0) {
    const { field, message } = describeValidationError(fe.validation as ErrorObject[], fe.validationContext);
    return reply.status(400).send({ error: 'validation', message, field });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply
      .status(413)
      .send({ error: 'payload_too_large', message: 'Dữ liệu gửi lên quá lớn (payload too large).' });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.status(415).send({ error: 'unsupported_media_type', message: 'Định dạng dữ liệu không được hỗ trợ.' });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // e.g. malformed JSON; Fastify's message names the problem, not our internals.
    return reply.status(fe.statusCode).send({ error: 'bad_request', message: `Yêu cầu không hợp lệ: ${fe.message}` });
  }
  if (isConnectionError(error)) {
    // The database is restarting or the connection was lost: nothing was accepted; try again.
    request.log.warn(
      { err: { name: error.name, code: (error.cause as { code?: string })?.code } },
      'database unavailable',
    );
    return reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send({ error: 'unavailable', message: 'Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.' });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({ error: 'internal', message: 'Lỗi hệ thống, vui lòng thử lại sau.' });
}
