import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError } from '../errors.ts';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** Files arrive as multipart form data (`-F file=@list.xlsx`) or as a raw body with its own type. */
export async function registerUploads(app: FastifyInstance) {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 20 } });
  const raw = [
    'text/csv',
    'text/plain',
    'application/octet-stream',
    'application/pdf',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'text/markdown',
    'text/html',
  ];
  app.addContentTypeParser(raw, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) =>
    done(null, body),
  );
}

export interface UploadedFile {
  data: Buffer;
  filename: string;
  mimetype: string;
}

/** The one uploaded file of a request, whichever way it was sent. */
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
    return { data: request.body, filename: name, mimetype: String(request.headers['content-type']).split(';')[0] };
  }
  throw new AppError(
    'unsupported_media_type',
    'Hãy gửi tệp dạng multipart/form-data (trường "file") hoặc thân yêu cầu text/csv / xlsx.',
  );
}
