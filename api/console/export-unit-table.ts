import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { getUnitDashboard } from './get-unit-dashboard.ts';
import { tableFile, type TableFile, type TableFormat } from './table-file.ts';

/** The ranking table of a unit's dashboard as CSV or XLSX (the same figures as the page). */
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
  const day = deps.clock.now().toISOString().slice(0, 10);
  return tableFile(`so-lieu-${d.unit.id}-${day}`, 'Số liệu', header, rows, format);
}
