import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole } from '../auth/roles.ts';
import { getCompletenessReport } from '../meetings/get-completeness-report.ts';
import { findUnits } from './repository.ts';
import { notFound } from '../errors.ts';
import { isCellKind } from '../orgs/kinds.ts';

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
  return {
    unit,
    month,
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
