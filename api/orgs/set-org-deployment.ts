import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { invalid, notFound } from '../errors.ts';
import { findOrg, setDeployment, type Org } from './repository.ts';

/**
 * Marks a unit as not using the platform (e.g. a police cell, for its sector's reasons):
 * it is then left out of adoption denominators and reported apart.
 */
export async function setOrgDeployment(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
  input: { deployed: boolean; reason?: string | null },
): Promise<Org> {
  return deps.db.tx(async (sql) => {
    if (!(await findOrg(sql, orgId))) throw notFound('tổ chức', `org ${orgId}`);
    await requireRole(sql, actor, orgId, CAN.manageOrgs);
    if (!input.deployed && !input.reason?.trim()) throw invalid('reason', 'Cần nêu lý do đơn vị không triển khai.');
    await setDeployment(sql, orgId, input.deployed, input.reason?.trim() ?? null);
    return (await findOrg(sql, orgId))!;
  });
}
