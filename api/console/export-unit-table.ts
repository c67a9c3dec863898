import { vnDay } from './export-meetings-table.ts';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { recordExport } from '../audit/record-audit.ts';
import { tableFile, type TableFile, type TableFormat } from '../http/table-file.ts';
import { getUnitDashboard } from './get-unit-dashboard.ts';

/** The ranking table of a unit's dashboard as CSV or XLSX (the same figures as the page); audited. */
export async function exportUnitTable(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  format: TableFormat,
): Promise<TableFile> {
  const d = await getUnitDashboard(deps, actor, orgId);
  const header = [
    'Đơn vị',
    'Đảng viên',
    'Chính thức',
    'Dự bị',
    'Đã liên kết',
    'Tỷ lệ liên kết (%)',
    'Telegram',
    'Zalo',
    'Web',
    'Hoạt động 30 ngày',
    'Ghi chú',
  ];
  const rows = d.children.map((c) => [
    c.name,
    c.members,
    c.official,
    c.probationary,
    c.linked,
    c.excluded ? '' : Math.round(c.share * 1000) / 10,
    c.telegram,
    c.zalo,
    c.web,
    c.active,
    c.excluded ? `Không tính: ${c.reason ?? ''}` : c.belowTarget ? 'Dưới mục tiêu' : '',
  ]);
  const now = deps.clock.now();
  await recordExport(deps.db, { actor, orgId: d.unit.id, what: 'units', format, rows: rows.length, at: now });
  const day = vnDay(now).replaceAll('/', '-');
  return tableFile({ name: `so-lieu-${d.unit.id}-${day}`, sheet: 'Số liệu', header, rows, format });
}
