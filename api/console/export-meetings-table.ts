import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { KIND_LABELS } from '../meetings/schedule-meeting.ts';
import { recordExport } from '../audit/record-audit.ts';
import { tableFile, type TableFile, type TableFormat } from '../http/table-file.ts';
import { getMeetingsMonth } from './get-meetings-month.ts';
import { vietnamDate } from '../text/vietnam-time.ts';

const MODE: Record<string, string> = { in_person: 'Trực tiếp', online: 'Trực tuyến', hybrid: 'Kết hợp' };

/** The month's meetings with their three parts, as CSV or XLSX; audited. */
export async function exportMeetingsTable(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
  month: string,
  format: TableFormat,
): Promise<TableFile> {
  const m = await getMeetingsMonth(deps, actor, orgId, month);
  const yes = (b: boolean) => (b ? 'Có' : 'Chưa');
  const rows = m.meetings.map((r) => [
    r.cellName,
    vnDay(r.startsAt),
    KIND_LABELS[r.kind as keyof typeof KIND_LABELS] ?? r.kind,
    MODE[r.mode] ?? r.mode,
    yes(r.part1),
    yes(r.part2),
    yes(r.part3),
  ]);
  const at = deps.clock.now();
  await recordExport(deps.db, { actor, orgId, what: 'meetings', format, rows: rows.length, at });
  return tableFile({
    name: `sinh-hoat-${orgId}-thang-${month.slice(5)}-${month.slice(0, 4)}`,
    sheet: 'Sinh hoạt chi bộ',
    header: ['Chi bộ', 'Ngày', 'Loại', 'Hình thức', 'Phần 1', 'Phần 2', 'Phần 3'],
    rows,
    format,
  });
}

/** A moment's day in Vietnam, written dd/mm/yyyy (a UTC date is the day before for evenings after 17:00 UTC). */
export function vnDay(at: Date): string {
  const [y, m, d] = vietnamDate(at).split('-');
  return `${d}/${m}/${y}`;
}
