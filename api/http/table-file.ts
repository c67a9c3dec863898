/**
 * The one spreadsheet writer: every CSV and XLSX the service hands out (member lists, the
 * console's tables) is written here, so none can carry a live formula.
 *
 * A text cell that would start a formula — `=`, `+`, `-`, `@`, tab, carriage return: a member
 * named `=HYPERLINK(…)`, a unit named `@SUM(…)`, a phone `+84…` — is written with a leading
 * apostrophe, the spreadsheet's own "this is text" mark (`neutraliseFormula`); XLSX text cells
 * are also formatted as text, so the mark survives an edit in Excel. Numbers stay numbers.
 * Import removes the apostrophe (`restoreNeutralised`), so exported lists import back unchanged.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export type TableFormat = 'csv' | 'xlsx';

export interface TableFile {
  data: Buffer;
  contentType: string;
  filename: string;
}

/** A cell starting with one of these is a formula to a spreadsheet (or becomes one when edited). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text as spreadsheets show it as text: with an apostrophe before a formula's first character. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value as typed, without the apostrophe `neutraliseFormula` added. */
export function restoreNeutralised(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** A table as the file a committee opens in Excel: CSV with a BOM (diacritics), or XLSX. */
export async function tableFile(table: {
  name: string;
  sheet: string;
  header: string[];
  rows: (string | number)[][];
  format: TableFormat;
  columnWidth?: number;
}): Promise<TableFile> {
  const filename = `${table.name}.${table.format}`;
  const safe = [table.header, ...table.rows].map((row) =>
    row.map((cell) => (typeof cell === 'string' ? neutraliseFormula(cell) : cell)),
  );
  if (table.format === 'csv') {
    return {
      data: Buffer.from(`\uFEFF${stringify(safe)}`, 'utf8'),
      contentType: 'text/csv; charset=utf-8',
      filename,
    };
  }
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet(table.sheet.slice(0, 31));
  for (const [i, values] of safe.entries()) {
    const row = ws.addRow(values);
    if (i === 0) row.font = { bold: true };
    row.eachCell((cell) => {
      if (typeof cell.value === 'string') cell.numFmt = '@';
    });
  }
  for (const c of ws.columns) c.width = table.columnWidth ?? 18;
  return {
    data: Buffer.from(await book.xlsx.writeBuffer()),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename,
  };
}
