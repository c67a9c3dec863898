import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { recordExport } from '../audit/record-audit.ts';
import { notFound } from '../errors.ts';
import { tableFile, type TableFile } from '../http/table-file.ts';
import { findOrg } from '../orgs/repository.ts';
import { listMembersUnder, type MemberListRow } from './repository.ts';
import { SHEET_COLUMNS, type SheetFormat } from './member-sheet.ts';
import { vietnamDate } from '../text/vietnam-time.ts';
import { compareVietnameseNames } from '../text/vietnamese-names.ts';

/**
 * The member list in the import's own columns, so the file round-trips. Every cell is text
 * (names, phones, card numbers and cell names are typed by people), written by the one writer
 * that neutralises formulas; the export is in the audit log.
 */
export async function exportMembers(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  format: SheetFormat,
): Promise<TableFile> {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức', `org ${orgId}`);
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  const now = deps.clock.now();
  const today = vietnamDate(now);
  const rows = inListOrder(await listMembersUnder(deps.db, org.path, today)).map(toSheetRow);
  await recordExport(deps.db, { actor, orgId: org.id, what: 'members', format, rows: rows.length, at: now });
  return tableFile({
    name: `dang-vien-${org.id}-${today}`,
    sheet: 'Đảng viên',
    header: SHEET_COLUMNS.map((c) => c.header),
    rows,
    format,
    columnWidth: 22,
  });
}

/** Cell by cell as the units are ordered, and within a cell by name the Vietnamese way (by given name). */
function inListOrder(members: MemberListRow[]): MemberListRow[] {
  const cellRank = new Map<string, number>();
  for (const m of members) if (!cellRank.has(m.cellName)) cellRank.set(m.cellName, cellRank.size);
  return [...members].sort(
    (a, b) => cellRank.get(a.cellName)! - cellRank.get(b.cellName)! || compareVietnameseNames(a.fullName, b.fullName),
  );
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
