/**
 * A previewed member list, kept for the console session that previewed it so that applying it
 * does not ask for the file again. The token travels in the preview page's form; it opens the
 * draft only for the same session and unit, within DRAFT_MINUTES, and once.
 */
import crypto from 'node:crypto';
import { AppError } from '../errors.ts';
import { maybeOne, type Sql } from '../db/connect.ts';
import type { SheetFormat } from './member-sheet.ts';

/** How long a preview can be applied: long enough to read it, short enough not to keep members' data about. */
export const DRAFT_MINUTES = 30;

export interface ImportDraft {
  fileName: string;
  format: SheetFormat;
  data: Buffer;
}

/** Keeps a previewed file; the session's earlier draft for the unit, and every expired one, go. */
export async function keepImportDraft(
  sql: Sql,
  owner: { sessionId: number; unitId: number },
  file: ImportDraft,
  now: Date,
): Promise<string> {
  const token = crypto.randomBytes(18).toString('base64url');
  const expired = new Date(now.getTime() - DRAFT_MINUTES * 60_000);
  await sql.query(`delete from member_import_drafts where created_at < $1`, [expired]);
  await sql.query(`delete from member_import_drafts where console_session_id = $1 and unit_id = $2`, [
    owner.sessionId,
    owner.unitId,
  ]);
  await sql.query(
    `insert into member_import_drafts (token, console_session_id, unit_id, file_name, format, data, created_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [token, owner.sessionId, owner.unitId, file.fileName, file.format, file.data, now],
  );
  return token;
}

/** Takes the draft the preview page names (and deletes it); refuses one that is not this session's or has expired. */
export async function takeImportDraft(
  sql: Sql,
  owner: { sessionId: number; unitId: number },
  token: string,
  now: Date,
): Promise<ImportDraft> {
  const row = await maybeOne<{ fileName: string; format: SheetFormat; data: Uint8Array; createdAt: Date }>(
    sql,
    `delete from member_import_drafts where token = $1 and console_session_id = $2 and unit_id = $3
     returning file_name as "fileName", format, data, created_at as "createdAt"`,
    [token, owner.sessionId, owner.unitId],
  );
  if (!row || row.createdAt.getTime() < now.getTime() - DRAFT_MINUTES * 60_000) {
    throw new AppError(
      'gone',
      `Bản xem trước này không còn (đã nhập, hoặc quá ${DRAFT_MINUTES} phút). Xin chọn tệp và xem trước lại.`,
    );
  }
  return { fileName: row.fileName, format: row.format, data: Buffer.from(row.data) };
}
