import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { listMembersUnder, type MemberListRow } from './repository.ts';
import { neutraliseFormula, SHEET_COLUMNS, type SheetFormat } from './member-sheet.ts';

/** The member list in the import's own columns, so the file round-trips. */
export async function exportMembers(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  format: SheetFormat,
): Promise<{ data: Buffer; contentType: string; filename: string }> {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức', `org ${orgId}`);
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  const today = deps.clock.now().toISOString().slice(0, 10);
  // Names, phones and cell names are typed by people: never let one become a live formula.
  const rows = (await listMembersUnder(deps.db, org.path, today)).map((m) => toSheetRow(m).map(neutraliseFormula));
  const header = SHEET_COLUMNS.map((c) => c.header);
  const filename = `dang-vien-${org.id}-${today}.${format}`;
  if (format === 'csv') {
    // BOM so that Excel opens the UTF-8 file with correct diacritics.
    const text = `\uFEFF${stringify([header, ...rows])}`;
    return { data: Buffer.from(text, 'utf8'), contentType: 'text/csv; charset=utf-8', filename };
  }
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Đảng viên');
  sheet.addRow(header).font = { bold: true };
  for (const r of rows) {
    // Every cell is a string cell (never a formula); the apostrophe makes that survive an edit in Excel.
    const row = sheet.addRow(r);
    row.eachCell((cell) => {
      cell.numFmt = '@';
    });
  }
  for (const c of sheet.columns) c.width = 22;
  const data = Buffer.from(await book.xlsx.writeBuffer());
  return { data, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename };
}

function toSheetRow(m: MemberListRow): string[] {
  const vnDate = (iso: string | null) => (iso ? iso.split('-').reverse().join('/') : '');
  return [
    m.fullName,
    m.gender === 'male' ? 'Nam' : 'Nữ',
    m.birthYear ? String(m.birthYear) : '',
    m.cardNumber ?? '',
    m.phone ?? '',
    m.cellName,
    m.status === 'official' ? 'Chính thức' : 'Dự bị',
    vnDate(m.admittedOn),
    vnDate(m.officialOn),
  ];
}
