import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findUnits, type UnitRow } from './repository.ts';

/** Entries of the audit log shown on one page. */
export const AUDIT_PAGE_SIZE = 100;

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  orgId: number;
  orgName: string;
  actorName: string | null;
  subjectType: string;
  subjectName: string | null;
  details: Record<string, unknown>;
}

/**
 * The audit log of a unit and everything beneath it (roles granted, removed and ended, members
 * created, edited, moved and deactivated, units created and moved, imports and exports),
 * newest first, a page at a time (`before`: the last id of the previous page). For the unit's
 * committee and admins.
 */
export async function listUnitAudit(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  before: number | null,
): Promise<{ unit: UnitRow; rows: AuditRow[] }> {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức');
  await requireRole(deps.db, actor, orgId, CAN.readAudit);
  const rows = await deps.db.query<AuditRow>(
    `select a.id::int as id, a.at, a.action, o.id as "orgId", o.name as "orgName", who.display_name as "actorName",
            a.subject_type as "subjectType", a.details,
            case a.subject_type when 'member' then m.full_name when 'principal' then p.display_name
              when 'org' then so.name end as "subjectName"
       from audit_log a
       join orgs o on o.id = a.org_id
       left join principals who on who.id = a.actor_principal_id
       left join members m on a.subject_type = 'member' and m.id::text = a.subject_id
       left join principals p on a.subject_type = 'principal' and p.id::text = a.subject_id
       left join orgs so on a.subject_type = 'org' and so.id::text = a.subject_id
      where o.path <@ (select path from orgs where id = $1) and ($2::bigint is null or a.id < $2)
      order by a.id desc
      limit $3`,
    [orgId, before, AUDIT_PAGE_SIZE],
  );
  return { unit, rows };
}
