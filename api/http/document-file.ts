/**
 * A generated document (minutes, result sheet, report) sent as a download: its content type,
 * the attachment header, and the route schema pieces for a `.docx` / `.pdf` path.
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ContentResponses, FileBody } from './schemas.ts';

export const DOCUMENT_CONTENT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
} as const;
export type DocumentFormat = keyof typeof DOCUMENT_CONTENT_TYPES;

/** The `:format` of a document path. */
export const DocumentFormatParam = Type.Union([Type.Literal('docx'), Type.Literal('pdf')]);

/** A route's `response`: the file, DOCX or PDF. */
export const DocumentFileResponses = (description: string) =>
  ContentResponses(
    200,
    { [DOCUMENT_CONTENT_TYPES.docx]: FileBody, [DOCUMENT_CONTENT_TYPES.pdf]: FileBody },
    description,
  );

/** A file download: `filename` is sent as is (ASCII), the content type with it. */
export function sendDownload(reply: FastifyReply, file: { data: Buffer; filename: string; contentType: string }) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(file.data);
}

/** A generated DOCX or PDF named `<basename>.<format>`. */
export function sendDocument(reply: FastifyReply, data: Buffer, basename: string, format: DocumentFormat) {
  return sendDownload(reply, { data, filename: `${basename}.${format}`, contentType: DOCUMENT_CONTENT_TYPES[format] });
}
