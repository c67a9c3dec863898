/**
 * Text of an attachment, kept beside the file so the content reads on any phone and can be
 * searched. PDF through unpdf, DOCX through mammoth, in an extraction process bounded in
 * inflated size, memory and time (api/extract/); images are kept without text.
 */
import { AppError } from '../errors.ts';
import { ExtractionFailed, runExtraction } from '../extract/run-extraction.ts';

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
  if (type === 'image') return null;
  try {
    return await runExtraction({ kind: 'text', format: type, data, filename, field: 'attachments' });
  } catch (e) {
    if (!(e instanceof ExtractionFailed)) throw e;
    throw new AppError('unsupported_media_type', `Tệp "${filename}" bị hỏng hoặc không đúng định dạng.`, {
      field: 'attachments',
      detail: e.message,
    });
  }
}
