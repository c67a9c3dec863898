import type { Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { findOrg } from '../orgs/repository.ts';
import type { Principal } from './principal.ts';
import { CAN, type GrantRow, listGrantsUnder, requireRole } from './roles.ts';

/**
 * Every role held on a unit and the units beneath it, for whoever may grant roles there: a
 * province sees each role on its units, whoever granted it, and can remove it.
 */
export async function listUnitRoles(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number): Promise<GrantRow[]> {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức');
  await requireRole(deps.db, actor, org.id, CAN.grantRoles);
  return listGrantsUnder(deps.db, org.path);
}
