import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { notFound } from '../errors.ts';
import { endPrincipalConsoleAccess } from '../console/session-repository.ts';
import type { Principal } from './principal.ts';
import { CAN, deleteGrants, findGrant, type GrantRow, requireRole } from './roles.ts';

/**
 * Removes a grant. `actor` needs the right to grant roles on the grant's unit (a province
 * sees and removes every role on its units, whoever granted it); null is the command line.
 * Recorded in the audit log; a principal left without any role loses its console sessions.
 */
export async function removeRole(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal | null,
  grantId: number,
): Promise<GrantRow> {
  return deps.db.tx(async (sql) => {
    const grant = await findGrant(sql, grantId);
    if (!grant) throw notFound('vai trò');
    if (actor) await requireRole(sql, actor, grant.orgId, CAN.grantRoles);
    await endGrants(sql, [grant.id], {
      actorPrincipalId: actor?.id ?? null,
      action: 'role.removed',
      details: { via: actor ? 'api' : 'cli' },
      at: deps.clock.now(),
    });
    return grant;
  });
}

/**
 * Deletes grants with one audit entry each (on the grant's unit), and ends the console access
 * of every principal left without a role.
 */
export async function endGrants(
  sql: Sql,
  ids: number[],
  audit: { actorPrincipalId: number | null; action: string; details: Record<string, unknown>; at: Date },
): Promise<number> {
  const ended = await deleteGrants(sql, ids);
  for (const g of ended) {
    await recordAudit(sql, {
      actorPrincipalId: audit.actorPrincipalId,
      orgId: g.orgId,
      action: audit.action,
      subjectType: 'principal',
      subjectId: g.principalId,
      details: { ...audit.details, role: g.role },
      at: audit.at,
    });
  }
  for (const principalId of new Set(ended.map((g) => g.principalId))) {
    const [left] = await sql.query(`select 1 from role_grants where principal_id = $1 limit 1`, [principalId]);
    if (!left) await endPrincipalConsoleAccess(sql, principalId, audit.at);
  }
  return ended.length;
}
