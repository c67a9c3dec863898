import type { Deps } from '../context.ts';
import { AppError } from '../errors.ts';

export interface NoticeAttachmentFile {
  filename: string;
  mime: string;
  data: Buffer;
}

/** A notice's attached file, for the member's signed web view (the link was verified by the caller). */
export async function openAttachment(
  deps: Deps,
  noticeId: number,
  attachmentId: number,
): Promise<NoticeAttachmentFile> {
  const [file] = await deps.db.query<NoticeAttachmentFile>(
    `select filename, mime, data from notice_attachments where id = $1 and notice_id = $2`,
    [attachmentId, noticeId],
  );
  if (!file) throw new AppError('not_found', 'Không tìm thấy tệp.');
  return { ...file, data: Buffer.from(file.data) };
}
