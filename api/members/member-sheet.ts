/**
 * The member list as a spreadsheet: one column set for import and export, so a list
 * exported here (or kept by a secretary beside the national app) imports back unchanged.
 * Headers match without diacritics or case ("Ho va ten" = "Họ và tên").
 */
import { runExtraction } from '../extract/run-extraction.ts';
import { restoreNeutralised } from '../http/table-file.ts';
import { foldVietnamese } from '../text/fold.ts';

export const SHEET_COLUMNS = [
  { key: 'fullName', header: 'Họ và tên', aliases: ['ho ten', 'ten'] },
  { key: 'gender', header: 'Giới tính', aliases: ['gioi'] },
  { key: 'birthYear', header: 'Năm sinh', aliases: [] },
  { key: 'cardNumber', header: 'Số thẻ đảng', aliases: ['so the', 'the dang'] },
  { key: 'phone', header: 'Điện thoại', aliases: ['so dien thoai', 'sdt'] },
  { key: 'cell', header: 'Chi bộ', aliases: [] },
  { key: 'status', header: 'Loại đảng viên', aliases: ['loai', 'trang thai'] },
  { key: 'admittedOn', header: 'Ngày kết nạp', aliases: ['ngay vao dang'] },
  { key: 'officialOn', header: 'Ngày chính thức', aliases: [] },
] as const;

export type SheetKey = (typeof SHEET_COLUMNS)[number]['key'];

export interface SheetRow {
  /** Line number as the secretary sees it in the file (header is line 1). */
  line: number;
  values: Partial<Record<SheetKey, string>>;
}

export type SheetFormat = 'csv' | 'xlsx';

/** The province's member list (20 000 rows) is a few tens of MB of sheet XML; nothing needs more. */
export const MAX_SHEET_INFLATED = 60 * 1024 * 1024;

/**
 * The rows of a member list, read in an extraction process (bounded in inflated size, memory
 * and time: a 19 MB CSV or an XLSX of millions of shared strings never holds up the service).
 * Throws AppError when the file passes a bound, ExtractionFailed when it cannot be read.
 */
export async function readMemberSheet(
  data: Buffer,
  format: SheetFormat,
  maxRows = Number.MAX_SAFE_INTEGER - 1,
): Promise<{ rows: SheetRow[]; unknownHeaders: string[] }> {
  const table = await runExtraction({
    kind: 'table',
    data,
    format,
    maxRows: maxRows + 1,
    filename: format.toUpperCase(),
    field: 'file',
    limits: { maxInflatedBytes: MAX_SHEET_INFLATED },
  });
  if (table.length === 0) return { rows: [], unknownHeaders: [] };
  const [{ cells: header }, ...body] = table;
  const keys = header.map((h) => matchHeader(h));
  const unknownHeaders = header.filter((h, i) => h.trim() && !keys[i]);
  const rows: SheetRow[] = [];
  for (const { line, cells } of body) {
    if (cells.every((c) => !c.trim())) continue;
    const values: SheetRow['values'] = {};
    cells.forEach((c, i) => {
      const key = keys[i];
      if (key && c.trim()) values[key] = restoreNeutralised(c.trim());
    });
    rows.push({ line, values });
  }
  return { rows, unknownHeaders };
}

function matchHeader(raw: string): SheetKey | undefined {
  const h = foldVietnamese(raw);
  for (const c of SHEET_COLUMNS) {
    if (foldVietnamese(c.header) === h || (c.aliases as readonly string[]).includes(h)) return c.key;
  }
  return undefined;
}
