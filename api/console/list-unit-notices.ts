import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findUnits, listUnitNotices } from './repository.ts';

/** The latest notices of a unit and the units beneath it, with recipients and reads. */
export async function listNoticesOfUnit(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number) {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức');
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  return {
    unit,
    notices: await listUnitNotices(deps.db, unit.path),
    canPublish: await hasRole(deps.db, actor.id, orgId, CAN.publish),
  };
}
