import { foldMemberActivity } from './fold-member-activity.ts';
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { isCellKind, type OrgKind } from '../orgs/kinds.ts';
import { versionInForce } from '../rules/rule.ts';
import { ACTIVE_DAYS, ADOPTION_TARGET } from './policy.ts';
import { vietnamDate } from '../text/vietnam-time.ts';
import {
  cellMembers,
  childUnits,
  excludedUnits,
  type Figures,
  figuresByChild,
  findUnits,
  grantPaths,
  type MemberRow,
  monthlyTrend,
  type UnitRow,
} from './repository.ts';

export interface UnitLine extends Figures {
  id: number;
  name: string;
  kind: OrgKind;
  /** linked / members of the deployed part, 0–1. */
  share: number;
  belowTarget: boolean;
  excluded: boolean;
  reason: string | null;
}

export interface UnitDashboard {
  unit: UnitRow;
  /** From the root down to the unit; `open` when the actor may open that level. */
  crumbs: { id: number; name: string; open: boolean }[];
  totals: Figures & { share: number };
  target: { value: number; source: string };
  excluded: { id: number; name: string; reason: string | null; members: number }[];
  /** Direct children ranked by linked share (highest first), excluded ones last. */
  children: UnitLine[];
  trend: { month: string; meetings: number; linked: number }[];
  /** Only for a cell: its members. */
  members: MemberRow[] | null;
  asOf: Date;
}

/**
 * The dashboard of one unit for someone allowed to read it (the API's own rule: a role
 * on the unit or above it): members, chat adoption per channel, activity, units left out
 * of the figures, the units beneath ranked, and a twelve-month trend.
 */
export async function getUnitDashboard(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  orgId: number,
): Promise<UnitDashboard> {
  const [unit] = await findUnits(deps.db, [orgId]);
  if (!unit) throw notFound('tổ chức', `org ${orgId}`);
  await requireRole(deps.db, actor, orgId, CAN.readOrg);
  const now = deps.clock.now();
  // Vietnam dates: the last ACTIVE_DAYS days, today included.
  const sinceDay = vietnamDate(new Date(now.getTime() - (ACTIVE_DAYS - 1) * 86_400_000));
  const today = vietnamDate(now);
  await foldMemberActivity(deps);
  // rule: adoption target — console.adoption_target (a province setting)
  const target = versionInForce(ADOPTION_TARGET, today);

  // One round of queries, side by side; a cell has no units beneath it to list.
  const isCell = isCellKind(unit.kind);
  const [rows, children, off, trendRows, ancestors, roots, members] = await Promise.all([
    figuresByChild(deps.db, unit.path, sinceDay),
    isCell ? [] : childUnits(deps.db, unit.id),
    isCell && unit.deployed ? [] : excludedUnits(deps.db, unit.path),
    monthlyTrend(deps.db, unit.id, firstOfMonthAgo(now, 11)),
    findUnits(deps.db, unit.path.split('.').map(Number)),
    grantPaths(deps.db, actor.id, CAN.readOrg),
    isCell ? cellMembers(deps.db, unit.id) : null,
  ]);

  const zero = (): Figures => ({
    members: 0,
    official: 0,
    probationary: 0,
    linked: 0,
    telegram: 0,
    zalo: 0,
    web: 0,
    active: 0,
    cells: 0,
  });
  const add = (a: Figures, b: Figures) => {
    for (const k of Object.keys(a) as (keyof Figures)[]) a[k] += b[k];
  };
  const totals = zero();
  const perChild = new Map<number, { live: Figures; off: Figures }>();
  for (const r of rows) {
    if (!r.excluded) add(totals, r);
    const entry = perChild.get(r.childId) ?? { live: zero(), off: zero() };
    add(r.excluded ? entry.off : entry.live, r);
    perChild.set(r.childId, entry);
  }
  const share = (f: Figures) => (f.members === 0 ? 0 : f.linked / f.members);

  const lines: UnitLine[] = children.map((c) => {
    const e = perChild.get(c.id);
    const excluded = !c.deployed || (!!e && e.live.cells === 0 && e.off.cells > 0);
    const f = excluded ? (e?.off ?? zero()) : (e?.live ?? zero());
    const s = share(f);
    return {
      id: c.id,
      name: c.name,
      kind: c.kind,
      ...f,
      share: s,
      belowTarget: !excluded && f.members > 0 && s < target.value,
      excluded,
      reason: c.notDeployedReason,
    };
  });
  lines.sort((a, b) => Number(a.excluded) - Number(b.excluded) || b.share - a.share || a.name.localeCompare(b.name));

  let cumulative = trendRows.linksBefore;
  const byMonth = new Map(trendRows.months.map((t) => [t.month, t]));
  const trend = lastMonths(now, 12).map((month) => {
    const t = byMonth.get(month);
    cumulative += t?.links ?? 0;
    return { month, meetings: t?.meetings ?? 0, linked: cumulative };
  });

  return {
    unit,
    crumbs: ancestors.map((a) => ({
      id: a.id,
      name: a.name,
      open: roots.some((p) => a.path === p || a.path.startsWith(`${p}.`)),
    })),
    totals: { ...totals, share: share(totals) },
    target: { value: target.value, source: target.source },
    excluded: off.map((o) => ({
      id: o.id,
      name: o.name,
      reason: o.notDeployedReason,
      members: o.members,
    })),
    children: lines,
    trend,
    members,
    asOf: now,
  };
}

/** "YYYY-MM-01" of the month `n` months before `now` (Vietnam time). */
export function firstOfMonthAgo(now: Date, n: number): string {
  const vn = new Date(now.getTime() + 7 * 3600_000);
  const d = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth() - n, 1));
  return d.toISOString().slice(0, 10);
}

/** The last `count` months up to this one, oldest first, as YYYY-MM. */
export function lastMonths(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => firstOfMonthAgo(now, count - 1 - i).slice(0, 7));
}
