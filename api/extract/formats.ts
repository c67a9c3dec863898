/**
 * Reading uploaded files: the only place the parsers of DOCX (mammoth), PDF (unpdf, pdf.js),
 * HTML (html-to-text), XLSX (exceljs) and CSV (csv-parse) are called on what members and
 * editors send. Everything here runs inside an extraction process (run-extraction.ts), after
 * the file passed the bounds of document-bounds.ts, never on the service's event loop.
 */
import type ExcelJS from 'exceljs';
import { AppError } from '../errors.ts';

// Each parser is loaded when its format is read: an extraction process starts fresh for one
// file, and loading all of them would cost it most of a second.

/** The text of a DOCX, as mammoth reads it. */
export async function docxText(data: Buffer): Promise<string> {
  const { default: mammoth } = await import('mammoth');
  return (await mammoth.extractRawText({ buffer: data })).value.normalize('NFC');
}

/**
 * The text of each page of a PDF. Pages are read one after the other, each released before
 * the next (unpdf's extractText reads them all at once, holding every page in memory).
 */
export async function pdfPages(data: Buffer): Promise<string[]> {
  const { getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(data));
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
      pages.push(text.normalize('NFC'));
      page.cleanup();
    }
    return pages;
  } finally {
    await pdf.destroy();
  }
}

/** The pages of a PDF as one text, spaces and blank lines evened out (as unpdf's `mergePages`). */
export const mergePdfPages = (pages: string[]) =>
  pages
    .join('\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n');

/** How deep html-to-text walks the tree: a document nested deeper is markup, not text. */
export const HTML_MAX_DEPTH = 200;

/** The title and text of an HTML page; elements nested past HTML_MAX_DEPTH are left out. */
export async function htmlText(html: string): Promise<{ title: string | undefined; text: string }> {
  const { convert: htmlToText } = await import('html-to-text');
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
  const text = htmlToText(html, {
    wordwrap: false,
    limits: { maxDepth: HTML_MAX_DEPTH },
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
  return { title, text };
}

/** A row of a sheet: its cells' text, and the line it is on as the secretary sees it (the header is line 1). */
export type TableRow = { line: number; cells: string[] };
export type TableFormat = 'csv' | 'xlsx';

/** A member's row is a few hundred characters; a multi-megabyte "field" is not a member list. */
export const MAX_CSV_RECORD_CHARS = 10_000;
/** Columns kept of a row: a member list has nine; thousands of empty ones are not data to send back. */
export const MAX_TABLE_COLUMNS = 100;

/**
 * The first sheet of an XLSX, or a CSV, as its rows with any text; refused past `maxRows` rows
 * (the header included), so a huge table is never sent back to the service.
 */
export async function readTable(data: Buffer, format: TableFormat, maxRows: number): Promise<TableRow[]> {
  const all = format === 'csv' ? await readCsv(data) : await readXlsx(data);
  const rows = all.filter((r) => r.cells.some((c) => c.trim()));
  if (rows.length > maxRows)
    throw new AppError('validation', `Tệp quá ${maxRows - 1} dòng; hãy chia nhỏ.`, { field: 'file' });
  return rows;
}

async function readCsv(data: Buffer): Promise<TableRow[]> {
  const { parse: parseCsv } = await import('csv-parse/sync');
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const records = parseCsv(text, {
    delimiter: detectDelimiter(text),
    relax_column_count: true,
    skip_empty_lines: false,
    info: true,
    // csv-parse takes time that grows faster than the size of one huge field (44 s for 19 MB).
    max_record_size: MAX_CSV_RECORD_CHARS,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  return records.map(({ record, info }) => ({
    line: info.lines,
    cells: record.slice(0, MAX_TABLE_COLUMNS).map((v) => v.normalize('NFC')),
  }));
}

/** Vietnamese Excel exports CSV with ';' as often as ','. */
function detectDelimiter(text: string): string {
  const first = text.slice(0, 65_536).split(/\r?\n/, 1)[0] ?? '';
  return (first.match(/;/g)?.length ?? 0) > (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

async function readXlsx(data: Buffer): Promise<TableRow[]> {
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  await book.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  if (!sheet) return [];
  const out: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    for (let c = 1; c <= Math.min(row.cellCount, MAX_TABLE_COLUMNS); c++) cells.push(cellText(row.getCell(c).value));
    out.push({ line, cells });
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
