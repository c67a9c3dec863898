import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole } from '../auth/roles.ts';
import { getCompletenessReport } from '../meetings/get-completeness-report.ts';
import { findUnits } from './repository.ts';
import { notFound } from '../errors.ts';
import { CELL_KINDS, isCellKind } from '../orgs/kinds.ts';
import { compareVietnamese } from '../text/vietnamese-names.ts';

/** One cell beneath the unit in a month: how many closed meetings, how many with all three parts. */
export interface CellMonth {
  cellId: number;
  cellName: string;
  /** The unit directly beneath the one asked about that holds the cell (the cell itself at a commune). */
  childId: number;
  childName: string;
  meetings: number;
  complete: number;
  /** Left out of the figures (not deployed), with the reason. */
  excluded: boolean;
  reason: string | null;
}

export interface MeetingLine {
  meetingId: number;
  cellId: number;
  cellName: string;
  kind: string;
  part1: boolean;
  part2: boolean;
  part3: boolean;
  mode: string;
  startsAt: Date;
  status: string;
}

/**
 * Meetings of a unit's cells in one month: the three parts per meeting (the meetings
 * feature's completeness report), kinds, in-person vs online share and the ratings
 * members gave; for a cell also the meetings not yet closed, with what its secretary may do.
 */
export async function getMeetingsMonth(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number, month: string) {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức');
  const report = await getCompletenessReport(deps, actor, orgId, month);
  const ids = report.rows.map((r) => r.meetingId);
  const extra = await deps.db.query<{ id: number; mode: string; startsAt: Date }>(
    `select id, mode, starts_at as "startsAt" from meetings where id = any($1::int[])`,
    [ids],
  );
  const ratings = await deps.db.query<{ level: string; count: number }>(
    `select level, count(*)::int as count from meeting_ratings where meeting_id = any($1::int[]) group by level
      order by 2 desc`,
    [ids],
  );
  const byId = new Map(extra.map((e) => [e.id, e]));
  const lines: MeetingLine[] = report.rows.map((r) => ({
    ...r,
    mode: byId.get(r.meetingId)?.mode ?? 'in_person',
    startsAt: byId.get(r.meetingId)?.startsAt ?? new Date(0),
    status: 'closed',
  }));
  const modes = { in_person: 0, online: 0, hybrid: 0 } as Record<string, number>;
  for (const l of lines) modes[l.mode] = (modes[l.mode] ?? 0) + 1;
  const isCell = isCellKind(unit.kind);
  const pending = isCell
    ? await deps.db.query<{ id: number; kind: string; topic: string | null; startsAt: Date; status: string }>(
        `select id, kind, topic, starts_at as "startsAt", status from meetings where cell_id = $1 and status <> 'closed'
          order by starts_at`,
        [orgId],
      )
    : [];
  const cells = await cellsOfMonth(deps, unit.path, lines);
  return {
    unit,
    month,
    cells,
    isCell,
    canRun: isCell && (await hasRole(deps.db, actor.id, orgId, CAN.runMeetings)),
    meetings: lines,
    complete: report.complete,
    byKind: report.byKind,
    modes,
    ratings,
    cellsWithMeeting: new Set(lines.map((l) => l.cellId)).size,
    pending,
  };
}

/**
 * Every cell beneath the unit — those that met this month and those that did not — so a
 * committee sees who is missing rather than only who reported.
 */
async function cellsOfMonth(deps: Pick<Deps, 'db'>, path: string, lines: MeetingLine[]): Promise<CellMonth[]> {
  const cells = await deps.db.query<{
    cellId: number;
    cellName: string;
    childId: number;
    childName: string;
    excluded: boolean;
    reason: string | null;
  }>(
    `select c.id as "cellId", c.name as "cellName", coalesce(ch.id, c.id) as "childId",
            coalesce(ch.name, c.name) as "childName",
            exists (select 1 from orgs x where c.path <@ x.path and x.path <@ text2ltree($1) and not x.deployed)
              as excluded,
            (select x.not_deployed_reason from orgs x where c.path <@ x.path and x.path <@ text2ltree($1)
               and not x.deployed order by nlevel(x.path) limit 1) as reason
       from orgs c
       left join orgs ch on nlevel(c.path) > nlevel(text2ltree($1))
                        and ch.path = subpath(c.path, 0, nlevel(text2ltree($1)) + 1)
      where c.path <@ text2ltree($1) and c.kind = any($2::text[])
      order by coalesce(ch.name, c.name), c.name`,
    [path, CELL_KINDS],
  );
  return cells
    .map((c) => {
      const own = lines.filter((l) => l.cellId === c.cellId);
      return { ...c, meetings: own.length, complete: own.filter((l) => l.part1 && l.part2 && l.part3).length };
    })
    .sort((a, b) => compareVietnamese(a.childName, b.childName) || compareVietnamese(a.cellName, b.cellName));
}
