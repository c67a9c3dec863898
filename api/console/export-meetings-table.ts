import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { KIND_LABELS } from '../meetings/schedule-meeting.ts';
import { getMeetingsMonth } from './get-meetings-month.ts';
import { tableFile, type TableFile, type TableFormat } from './table-file.ts';

const MODE: Record<string, string> = { in_person: 'Trực tiếp', online: 'Trực tuyến', hybrid: 'Kết hợp' };

/** The month's meetings with their three parts, as CSV or XLSX. */
export async function exportMeetingsTable(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  month: string,
  format: TableFormat,
): Promise<TableFile> {
  const m = await getMeetingsMonth(deps, actor, orgId, month);
  const yes = (b: boolean) => (b ? 'Có' : 'Chưa');
  const rows = m.meetings.map((r) => [
    r.cellName,
    r.startsAt.toISOString().slice(0, 10),
    KIND_LABELS[r.kind as keyof typeof KIND_LABELS] ?? r.kind,
    MODE[r.mode] ?? r.mode,
    yes(r.part1),
    yes(r.part2),
    yes(r.part3),
  ]);
  return tableFile(
    `sinh-hoat-${orgId}-${month}`,
    'Sinh hoạt chi bộ',
    ['Chi bộ', 'Ngày', 'Loại', 'Hình thức', 'Phần 1', 'Phần 2', 'Phần 3'],
    rows,
    format,
  );
}
