import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export type TableFormat = 'csv' | 'xlsx';

export interface TableFile {
  data: Buffer;
  contentType: string;
  filename: string;
}

/** A table as the file a committee opens in Excel: CSV with a BOM (diacritics), or XLSX. */
export async function tableFile(
  name: string,
  sheet: string,
  header: string[],
  rows: (string | number)[][],
  format: TableFormat,
): Promise<TableFile> {
  const filename = `${name}.${format}`;
  if (format === 'csv') {
    return {
      data: Buffer.from(`\uFEFF${stringify([header, ...rows])}`, 'utf8'),
      contentType: 'text/csv; charset=utf-8',
      filename,
    };
  }
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet(sheet.slice(0, 31));
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  for (const c of ws.columns) c.width = 18;
  return {
    data: Buffer.from(await book.xlsx.writeBuffer()),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename,
  };
}
