/**
 * Request bodies: how much each route may receive, and where files may arrive.
 *
 * - Every route has a small default body limit; the routes listed below get more.
 * - Raw bodies (text/csv, application/octet-stream, PDF, XLSX, …) and multipart forms are
 *   accepted only on the upload routes; anywhere else they get 415 before a byte of the body
 *   is read (a Buffer handed to a JSON schema validator is walked byte by byte).
 * - A route allowed more than the default requires an authenticated caller before its body is
 *   read: an anonymous 19 MB body gets 401 at once, not after it has been buffered. The check
 *   runs before parsing, after every onRequest hook: an API token or a console session (whose
 *   hook sets `request.principal`) authenticates the caller.
 * - Uploaded files are read only in extraction processes (api/extract/), each bounded in
 *   inflated size, memory and time; `assertUploadWithinBounds` checks a file's bounds there
 *   before it is accepted.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError } from '../errors.ts';
import { runExtraction } from '../extract/run-extraction.ts';

export const DEFAULT_BODY_LIMIT = 256 * 1024;
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** A notice with up to 10 attachments (as base64 in the API's JSON, as files in the console's form). */
export const NOTICE_BODY_BYTES = 40 * 1024 * 1024;

/** Routes that take a file (multipart field `file`, or a raw body with the file's type), and their limits. */
export const UPLOAD_ROUTES: Record<string, number> = {
  'POST /orgs/:id/members/import': MAX_UPLOAD_BYTES,
  'POST /orgs/:id/knowledge/documents': MAX_UPLOAD_BYTES,
  // The console's forms for the same uploads (multipart, with the form's fields and CSRF token).
  'POST /console/units/:id/knowledge': MAX_UPLOAD_BYTES,
  'POST /console/units/:id/notices': NOTICE_BODY_BYTES,
};

/** JSON routes allowed more than the default, and their limits. */
export const LARGE_BODY_ROUTES: Record<string, number> = {
  // 200 000 characters of Vietnamese text (up to 3 bytes each in UTF-8, plus JSON escapes).
  'POST /meetings/:id/documents': 1024 * 1024,
  'POST /orgs/:id/notices': NOTICE_BODY_BYTES,
};

/** Content types read as a raw file body, on upload routes only. */
export const RAW_TYPES = [
  'text/csv',
  'text/plain',
  'application/octet-stream',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/markdown',
  'text/html',
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from UPLOAD_ROUTES: the route takes a file. */
    upload?: boolean;
    /**
     * The route refuses unknown callers in its own onRequest hook, before the body is read, and
     * sets its own body limit (the command line's SQL through the service, api/db/remote.ts).
     */
    authenticatesItself?: boolean;
  }
}

const routeKey = (method: string, url: string) => `${method} ${url}`;

/**
 * Call before any route is registered (it sets each route's limit as the route is added),
 * and after the authentication hook (it relies on `request.principal`).
 */
export async function registerUploads(app: FastifyInstance) {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const key = routeKey(method, route.url);
      const upload = UPLOAD_ROUTES[key];
      const large = LARGE_BODY_ROUTES[key];
      if (route.config?.authenticatesItself) {
        // Its own limit stands: the route lets no one it does not know send a body.
      } else if (upload !== undefined) {
        route.bodyLimit = upload;
        route.config = { ...route.config, upload: true };
      } else if (large !== undefined) {
        route.bodyLimit = large;
      } else if (route.bodyLimit === undefined || route.bodyLimit > DEFAULT_BODY_LIMIT) {
        // A route may lower its own limit (webhooks), never raise it past the default here.
        route.bodyLimit = DEFAULT_BODY_LIMIT;
      }
    }
  });

  app.addHook('onRequest', async (request) => {
    if (!hasBody(request)) return;
    const type = mediaType(request);
    const upload = request.routeOptions.config?.upload === true;
    if (!upload && (type === 'multipart/form-data' || RAW_TYPES.includes(type))) {
      throw new AppError('unsupported_media_type', 'Đường dẫn này chỉ nhận dữ liệu JSON (application/json).', {
        detail: `${type} on a route that takes no file`,
      });
    }
  });
  // Before the body is read, after every onRequest hook (authentication, console sessions).
  app.addHook('preParsing', async (request) => {
    if (!hasBody(request)) return;
    const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
    if (limit > DEFAULT_BODY_LIMIT && !request.principal && !request.routeOptions.config?.authenticatesItself) {
      throw new AppError('unauthorized', 'Cần mã truy cập: Authorization: Bearer <token>.');
    }
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > limit) {
      throw new AppError('payload_too_large', 'Dữ liệu gửi lên quá lớn (payload too large).');
    }
  });

  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20 } });
  // No bodyLimit here: each route's own limit applies.
  app.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

const hasBody = (request: FastifyRequest) =>
  request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;

const mediaType = (request: FastifyRequest) =>
  String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();

export interface UploadedFile {
  data: Buffer;
  filename: string;
  mimetype: string;
}

/**
 * A browser's multipart form: its text fields and up to `files` files of at most `fileSize`
 * bytes each, all within the route's body limit — counted as the bytes arrive, since a body
 * sent without Content-Length is not checked before parsing. A file input left empty sends a
 * part with no name and no bytes; it is skipped. Bounds are raised as 413 with a message for
 * people.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  limits: { files: number; fileSize: number },
): Promise<{ fields: Record<string, string>; files: (UploadedFile & { field: string })[] }> {
  const fields: Record<string, string> = {};
  const files: (UploadedFile & { field: string })[] = [];
  const bodyLimit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let received = 0;
  try {
    for await (const part of request.parts({ limits: { files: limits.files, fileSize: limits.fileSize } })) {
      if (part.type === 'field') {
        received += String(part.value).length;
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) {
        received += chunk.length;
        if (received > bodyLimit)
          throw new AppError('payload_too_large', 'Dữ liệu gửi lên quá lớn (payload too large).');
        chunks.push(chunk);
      }
      if (part.file.truncated)
        throw new AppError('payload_too_large', `Mỗi tệp tối đa ${Math.floor(limits.fileSize / 1024 / 1024)} MB.`);
      const data = Buffer.concat(chunks);
      if (!part.filename && data.length === 0) continue;
      files.push({ field: part.fieldname, data, filename: part.filename, mimetype: part.mimetype });
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT')
      throw new AppError('payload_too_large', `Chỉ gửi được tối đa ${limits.files} tệp mỗi lần.`, { detail: code });
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new AppError('payload_too_large', `Mỗi tệp tối đa ${Math.floor(limits.fileSize / 1024 / 1024)} MB.`, {
        detail: code,
      });
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new AppError('payload_too_large', 'Biểu mẫu có quá nhiều trường.', { detail: code });
    throw e;
  }
  return { fields, files };
}

/**
 * Refuses (413/415) a file past the document bounds (zip entries and inflated size, PDF pages
 * and inflated streams), checked in an extraction process, before it is accepted.
 */
export async function assertUploadWithinBounds(file: Pick<UploadedFile, 'data' | 'filename'>): Promise<void> {
  await runExtraction({ kind: 'bounds', data: file.data, filename: file.filename, field: 'file' });
}

/** The one uploaded file of a request, whichever way it was sent (its content is read by the use case). */
export async function readUploadedFile(request: FastifyRequest): Promise<UploadedFile> {
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) throw new AppError('validation', 'Thiếu tệp tải lên (trường "file").', { field: 'file' });
    const data = await part.toBuffer();
    if (part.file.truncated) throw new AppError('payload_too_large', 'Tệp quá lớn.');
    return { data, filename: part.filename, mimetype: part.mimetype };
  }
  if (Buffer.isBuffer(request.body)) {
    const name = /filename="?([^";]+)"?/.exec(String(request.headers['content-disposition'] ?? ''))?.[1] ?? 'upload';
    return { data: request.body, filename: name, mimetype: mediaType(request) };
  }
  throw new AppError(
    'unsupported_media_type',
    'Hãy gửi tệp dạng multipart/form-data (trường "file") hoặc thân yêu cầu text/csv / xlsx.',
  );
}
