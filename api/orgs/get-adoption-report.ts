import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findOrg, subtreeCellStats, type UnitStats } from './repository.ts';

export interface AdoptionReport {
  orgId: number;
  name: string;
  /** Totals over deployed units only: the adoption denominator. */
  deployed: {
    cells: number;
    members: number;
    official: number;
    probationary: number;
    linked: number;
    linkedShare: number;
  };
  /** Units that do not use the platform, shown apart and never in the denominator. */
  notDeployed: {
    cells: number;
    members: number;
    units: { orgId: number; name: string; reason: string | null; members: number }[];
  };
  cells: UnitStats[];
}

/** Chat adoption for every cell beneath a unit, for its committee. */
export async function getAdoptionReport(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  orgId: number,
): Promise<AdoptionReport> {
  const org = await findOrg(deps.db, orgId);
  if (!org) throw notFound('tổ chức', `org ${orgId}`);
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  const cells = await subtreeCellStats(deps.db, org.path);
  const live = cells.filter((c) => c.deployed);
  const off = cells.filter((c) => !c.deployed);
  const sum = (rows: UnitStats[], key: 'members' | 'official' | 'probationary' | 'linked') =>
    rows.reduce((n, r) => n + r[key], 0);
  const members = sum(live, 'members');
  const linked = sum(live, 'linked');
  return {
    orgId: org.id,
    name: org.name,
    deployed: {
      cells: live.length,
      members,
      official: sum(live, 'official'),
      probationary: sum(live, 'probationary'),
      linked,
      linkedShare: members === 0 ? 0 : Math.round((linked / members) * 1000) / 1000,
    },
    notDeployed: {
      cells: off.length,
      members: sum(off, 'members'),
      units: off.map((c) => ({ orgId: c.orgId, name: c.name, reason: c.notDeployedReason, members: c.members })),
    },
    cells,
  };
}
