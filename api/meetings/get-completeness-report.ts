import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import { DOCUMENTS_AHEAD_HOURS } from '../rules/meeting-rules.ts';
import { versionInForce } from '../rules/rule.ts';

/**
 * The three parts of a cell meeting on the platform (the seed report counted 3 of 12 by
 * hand): (1) documents sent at least a day before; (2) check-in, evaluation and a vote
 * adopting the resolution; (3) the resolution posted and tasks assigned.
 * Per cell and per month, for every cell beneath a unit.
 */
export async function getCompletenessReport(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number, month: string) {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức');
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  // rule: documents at least one day before — HD 42-HD/BTCTW 2025
  const aheadHours = versionInForce(DOCUMENTS_AHEAD_HOURS, `${month}-01`).value;
  const rows = await deps.db.query<{
    cellId: number;
    cellName: string;
    meetingId: number;
    kind: string;
    part1: boolean;
    part2: boolean;
    part3: boolean;
  }>(
    `select o.id as "cellId", o.name as "cellName", mt.id as "meetingId", mt.kind,
            exists (select 1 from meeting_documents d where d.meeting_id = mt.id
              and d.sent_at <= mt.starts_at - make_interval(hours => $3)) as part1,
            (exists (select 1 from meeting_attendance a where a.meeting_id = mt.id and a.checked_in_at is not null)
             and exists (select 1 from meeting_ratings r where r.meeting_id = mt.id)
             and exists (select 1 from motions v where v.meeting_id = mt.id and v.kind = 'resolution'
               and v.status = 'closed')) as part2,
            (exists (select 1 from resolutions z where z.meeting_id = mt.id and z.published_at is not null)
             and exists (select 1 from tasks t where t.meeting_id = mt.id)) as part3
       from meetings mt join orgs o on o.id = mt.cell_id
      where o.path <@ text2ltree($1) and to_char((mt.starts_at at time zone 'UTC') + interval '7 hours', 'YYYY-MM') = $2
        and mt.status = 'closed'
      order by o.name, mt.starts_at`,
    [org.path, month, aheadHours],
  );
  const complete = rows.filter((r) => r.part1 && r.part2 && r.part3).length;
  const byKind: Record<string, number> = {};
  for (const r of rows) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  return {
    orgId,
    month,
    meetings: rows.length,
    byKind,
    complete,
    summary: `${complete}/${rows.length} buổi họp đủ cả 3 phần`,
    rows,
  };
}
