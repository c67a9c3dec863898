/**
 * The member list as a spreadsheet: one column set for import and export, so a list
 * exported here (or kept by a secretary beside the national app) imports back unchanged.
 * Headers match without diacritics or case ("Ho va ten" = "Họ và tên").
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
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

/** A cell starting with one of these is a formula to a spreadsheet (or becomes one when edited). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text that spreadsheets show as text: a value that would start a formula (=, +, -, @, tab,
 * carriage return — "=HYPERLINK(…)" as a member's name) is written with a leading apostrophe,
 * Excel's and LibreOffice's own "this is text" mark. Import removes it again, so files round-trip.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value as typed, without the apostrophe `neutraliseFormula` added. */
export function restoreNeutralised(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export async function readMemberSheet(
  data: Buffer,
  format: SheetFormat,
): Promise<{ rows: SheetRow[]; unknownHeaders: string[] }> {
  const table = format === 'csv' ? readCsv(data) : await readXlsx(data);
  if (table.length === 0) return { rows: [], unknownHeaders: [] };
  const [header, ...body] = table;
  const keys = header.map((h) => matchHeader(h.value));
  const unknownHeaders = header.filter((h, i) => h.value.trim() && !keys[i]).map((h) => h.value);
  const rows: SheetRow[] = [];
  for (const cells of body) {
    if (cells.every((c) => !c.value.trim())) continue;
    const values: SheetRow['values'] = {};
    cells.forEach((c, i) => {
      const key = keys[i];
      if (key && c.value.trim()) values[key] = restoreNeutralised(c.value.trim());
    });
    rows.push({ line: cells[0]?.line ?? 0, values });
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

type Cell = { value: string; line: number };

export const MAX_CSV_RECORD_CHARS = 10_000;

function readCsv(data: Buffer): Cell[][] {
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const delimiter = detectDelimiter(text);
  const records = parseCsv(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    info: true,
    // A member's row is a few hundred characters; a multi-megabyte "field" is not a member list
    // (and csv-parse takes time that grows faster than its size on one: 44 s for 19 MB).
    max_record_size: MAX_CSV_RECORD_CHARS,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  return records.map(({ record, info }) => record.map((v) => ({ value: v.normalize('NFC'), line: info.lines })));
}

/** Vietnamese Excel exports CSV with ';' as often as ','. */
function detectDelimiter(text: string): string {
  const first = text.slice(0, 65_536).split(/\r?\n/, 1)[0] ?? '';
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

async function readXlsx(data: Buffer): Promise<Cell[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  if (!sheet) return [];
  const out: Cell[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push({ value: cellText(row.getCell(c).value), line: rowNumber });
    out.push(cells);
  });
  return out;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v).normalize('NFC');
}
