import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findUnits, type UnitRow } from './repository.ts';

/** A unit the actor may read (a role on it or above it), else 404/403. */
export async function readableUnit(deps: Pick<Deps, 'db'>, actor: Principal, orgId: number): Promise<UnitRow> {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức');
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  return unit;
}
