/**
 * Text of an attachment, kept beside the file so the content reads on any phone and can be
 * searched. PDF through unpdf, DOCX through mammoth; images are kept without text.
 */
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { AppError } from '../errors.ts';
import { assertZipWithinBounds, DOCUMENT_LIMITS } from '../http/document-bounds.ts';

export const ATTACHMENT_TYPES: Record<string, 'pdf' | 'docx' | 'image'> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'image/png': 'image',
  'image/jpeg': 'image',
};

export function attachmentType(filename: string, mime: string): 'pdf' | 'docx' | 'image' {
  const byMime = ATTACHMENT_TYPES[mime];
  if (byMime) return byMime;
  const ext = filename.toLowerCase().split('.').pop();
  if (ext === 'pdf') return 'pdf';
  if (ext === 'docx') return 'docx';
  if (ext === 'png' || ext === 'jpg' || ext === 'jpeg') return 'image';
  throw new AppError('unsupported_media_type', `Không đọc được tệp "${filename}": chỉ nhận PDF, DOCX, PNG, JPEG.`, {
    field: 'attachments',
  });
}

export async function extractAttachmentText(
  data: Buffer,
  type: 'pdf' | 'docx' | 'image',
  filename: string,
): Promise<string | null> {
  // Bounded before any parser inflates the file (a DOCX is a zip; a PDF may have thousands of pages).
  if (type === 'docx') await assertZipWithinBounds(data, filename, 'attachments');
  try {
    if (type === 'pdf') {
      const pdf = await getDocumentProxy(new Uint8Array(data));
      if (pdf.numPages > DOCUMENT_LIMITS.maxPdfPages) {
        await pdf.destroy();
        throw new AppError('payload_too_large', `Tệp "${filename}" có quá ${DOCUMENT_LIMITS.maxPdfPages} trang.`, {
          field: 'attachments',
        });
      }
      const { text } = await extractText(pdf, { mergePages: true });
      return (Array.isArray(text) ? text.join('\n') : text).normalize('NFC');
    }
    if (type === 'docx') return (await mammoth.extractRawText({ buffer: data })).value.normalize('NFC');
    return null;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('unsupported_media_type', `Tệp "${filename}" bị hỏng hoặc không đúng định dạng.`, {
      field: 'attachments',
      detail: (e as Error).message,
    });
  }
}
