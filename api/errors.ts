/**
 * The one application error. `message` is what a user sees (Vietnamese); `detail` is for
 * logs and developers and never shown to a chat user. Routes map `code` to an HTTP status,
 * the conversation core maps it to a reply.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_many_requests'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'startup';

const HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_many_requests: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  startup: 500,
};

export interface AppErrorOptions {
  /** Internal explanation for logs; never shown to chat users. */
  detail?: string;
  /** The input field the error is about, when there is one. */
  field?: string;
  /** Extra machine-readable data returned to API callers (e.g. bad import rows). */
  data?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly field?: string;
  readonly data?: unknown;

  constructor(code: ErrorCode, userMessage: string, options: AppErrorOptions = {}) {
    super(userMessage);
    this.name = 'AppError';
    this.code = code;
    this.detail = options.detail;
    this.field = options.field;
    this.data = options.data;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export const notFound = (what: string, detail?: string) =>
  new AppError('not_found', `Không tìm thấy ${what}.`, { detail });

export const forbidden = (detail?: string) =>
  new AppError('forbidden', 'Bạn không có quyền thực hiện thao tác này.', { detail });

export const invalid = (field: string, userMessage: string, detail?: string) =>
  new AppError('validation', userMessage, { field, detail });
