/**
 * The console's figures: sums over the counters kept by migration 061 (cell_figures and
 * member_activity and cell_activity_days per cell, unit_months per unit), so a province is a few thousand rows.
 */
import { compareVietnameseNames } from '../text/vietnamese-names.ts';
import type { Sql } from '../db/connect.ts';
import type { OrgKind } from '../orgs/kinds.ts';

export interface Figures {
  members: number;
  official: number;
  probationary: number;
  linked: number;
  telegram: number;
  zalo: number;
  web: number;
  active: number;
  cells: number;
}

export interface ChildFigures extends Figures {
  /** The direct child of the unit the cells sit under (the unit itself for its own cells). */
  childId: number;
  excluded: boolean;
}

/**
 * Figures of every cell beneath `rootPath`, summed per direct child and per exclusion; `active`
 * counts members whose last activity is on or after `sinceDay` (Vietnam date).
 */
export async function figuresByChild(sql: Sql, rootPath: string, sinceDay: string): Promise<ChildFigures[]> {
  return sql.query<ChildFigures>(
    `with root as (select text2ltree($1) as path),
     -- the few units left out, as text paths: a cell is out when one of them is it or above it
     off as materialized (select coalesce(array_agg(o.path::text), '{}') as paths from orgs o, root
                           where o.path <@ root.path and not o.deployed),
     cells as (
       select o.id,
              case when nlevel(o.path) > nlevel(root.path) then ltree2text(subpath(o.path, nlevel(root.path), 1))::int
                   else o.id end as child,
              exists (select 1 from unnest(off.paths) p where o.path::text = p or starts_with(o.path::text, p || '.'))
                as excluded
         from orgs o, root, off where o.path <@ root.path and o.kind in ('cell', 'grassroots_cell')
     )
     select c.child as "childId", c.excluded, count(*)::int as cells,
            coalesce(sum(f.members), 0)::int as members, coalesce(sum(f.official), 0)::int as official,
            coalesce(sum(f.probationary), 0)::int as probationary, coalesce(sum(f.linked), 0)::int as linked,
            coalesce(sum(f.linked_telegram), 0)::int as telegram, coalesce(sum(f.linked_zalo), 0)::int as zalo,
            coalesce(sum(f.linked_web), 0)::int as web, coalesce(sum(a.n), 0)::int as active
       from cells c left join cell_figures f on f.cell_id = c.id
       left join lateral (select sum(d.n) as n from cell_activity_days d where d.cell_id = c.id and d.day >= $2::date) a
         on true
      group by c.child, c.excluded`,
    [rootPath, sinceDay],
  );
}

export interface UnitRow {
  id: number;
  name: string;
  kind: OrgKind;
  path: string;
  deployed: boolean;
  notDeployedReason: string | null;
}

export async function findUnits(sql: Sql, ids: number[]): Promise<UnitRow[]> {
  return sql.query<UnitRow>(
    `select id, name, kind, path::text as path, deployed, not_deployed_reason as "notDeployedReason"
       from orgs where id = any($1::int[]) order by nlevel(path), name`,
    [ids],
  );
}

export async function childUnits(sql: Sql, parentId: number): Promise<UnitRow[]> {
  return sql.query<UnitRow>(
    `select id, name, kind, path::text as path, deployed, not_deployed_reason as "notDeployedReason"
       from orgs where parent_id = $1 order by name`,
    [parentId],
  );
}

/** Units beneath (or at) the root that are left out of the figures, with their reason. */
export async function excludedUnits(sql: Sql, rootPath: string): Promise<(UnitRow & { members: number })[]> {
  return sql.query<UnitRow & { members: number }>(
    `select o.id, o.name, o.kind, o.path::text as path, o.deployed, o.not_deployed_reason as "notDeployedReason",
            (select coalesce(sum(f.members), 0)::int from orgs c join cell_figures f on f.cell_id = c.id
              where c.path <@ o.path) as members
       from orgs o where o.path <@ text2ltree($1) and not o.deployed order by o.path`,
    [rootPath],
  );
}

/** Paths of the units where the principal holds one of `roles` (their subtrees are theirs). */
export async function grantPaths(sql: Sql, principalId: number, roles: readonly string[]): Promise<string[]> {
  const rows = await sql.query<{ path: string }>(
    `select distinct o.path::text as path from role_grants g join orgs o on o.id = g.org_id
      where g.principal_id = $1 and g.role = any($2::text[])`,
    [principalId, roles],
  );
  return rows.map((r) => r.path);
}

export interface MonthRow {
  month: string;
  meetings: number;
  links: number;
}

/** Meetings held and chat accounts linked per month beneath a unit, and links made before `fromMonth`. */
export async function monthlyTrend(
  sql: Sql,
  orgId: number,
  fromMonth: string,
): Promise<{ months: MonthRow[]; linksBefore: number }> {
  const months = await sql.query<MonthRow>(
    `select to_char(month, 'YYYY-MM') as month, meetings, links from unit_months
      where org_id = $1 and month >= $2::date order by month`,
    [orgId, fromMonth],
  );
  const [before] = await sql.query<{ n: number }>(
    `select coalesce(sum(links), 0)::int as n from unit_months where org_id = $1 and month < $2::date`,
    [orgId, fromMonth],
  );
  return { months, linksBefore: before.n };
}

export interface MemberRow {
  id: number;
  fullName: string;
  status: 'official' | 'probationary';
  channels: string[];
  lastActiveAt: Date | null;
}

/** A cell's members in the order its list is kept: by given name, the Vietnamese alphabet's order. */
export async function cellMembers(sql: Sql, cellId: number): Promise<MemberRow[]> {
  const rows = await sql.query<MemberRow>(
    `select m.id, m.full_name as "fullName", m.status,
            array(select distinct a.channel from chat_accounts a where a.member_id = m.id and a.unlinked_at is null
              order by 1) as channels,
            act.last_at as "lastActiveAt"
       from members m left join member_activity act on act.member_id = m.id
      where m.cell_id = $1 and m.active order by m.id`,
    [cellId],
  );
  return rows.sort((a, b) => compareVietnameseNames(a.fullName, b.fullName));
}

export interface NoticeListRow {
  id: number;
  title: string;
  orgName: string;
  publishAt: Date;
  publishedAt: Date | null;
  recipients: number;
  read: number;
}

/** The latest notices published by the unit or beneath it, with recipients and reads. */
export async function listUnitNotices(sql: Sql, rootPath: string): Promise<NoticeListRow[]> {
  return sql.query<NoticeListRow>(
    `select n.id, n.title, o.name as "orgName", n.publish_at as "publishAt", n.published_at as "publishedAt",
            (select count(*)::int from notice_recipients r where r.notice_id = n.id) as recipients,
            (select count(r.read_at)::int from notice_recipients r where r.notice_id = n.id) as read
       from notices n join orgs o on o.id = n.org_id
      where o.path <@ text2ltree($1) order by n.publish_at desc, n.id desc limit 50`,
    [rootPath],
  );
}

export interface FeedbackRow {
  id: number;
  body: string;
  status: string;
  answer: string | null;
  createdAt: Date;
  memberName: string;
  orgName: string;
}

export interface FeedbackTimesRow {
  orgName: string;
  received: number;
  answered: number;
  /** Average hours from receipt to the first answer, over answered items. */
  avgHours: number | null;
}

/** Per unit beneath the root that feedback went to: how much came in, was answered, and how fast. */
export async function feedbackTimes(sql: Sql, rootPath: string): Promise<FeedbackTimesRow[]> {
  return sql.query<FeedbackTimesRow>(
    `select o.name as "orgName", count(*)::int as received, count(a.at)::int as answered,
            round((avg(extract(epoch from a.at - f.created_at)) / 3600)::numeric, 1) as "avgHours"
       from feedback f join orgs o on o.id = f.org_id
       left join lateral (select min(e.at) as at from feedback_events e
         where e.feedback_id = f.id and e.status = 'answered') a on true
      where o.path <@ text2ltree($1)
      group by o.id, o.name order by o.name`,
    [rootPath],
  );
}
