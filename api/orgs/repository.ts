import { maybeOne, one, type Sql } from '../db/connect.ts';
import type { OrgKind } from './kinds.ts';

export interface Org {
  id: number;
  parentId: number | null;
  kind: OrgKind;
  name: string;
  path: string;
  deployed: boolean;
  notDeployedReason: string | null;
}

const ORG_COLUMNS = `id, parent_id as "parentId", kind, name, path::text as path, deployed,
                      not_deployed_reason as "notDeployedReason"`;

export async function findOrg(sql: Sql, id: number): Promise<Org | undefined> {
  return maybeOne<Org>(sql, `select ${ORG_COLUMNS} from orgs where id = $1`, [id]);
}

export async function insertOrg(
  sql: Sql,
  input: {
    parentId: number | null;
    kind: OrgKind;
    name: string;
    deployed: boolean;
    notDeployedReason: string | null;
    isDemo?: boolean;
  },
): Promise<Org> {
  // The id is drawn first so the path ("<parent path>.<id>") is written in the same insert.
  return one<Org>(
    sql,
    `with next as (select nextval(pg_get_serial_sequence('orgs', 'id')) as id)
     insert into orgs (id, parent_id, kind, name, path, deployed, not_deployed_reason, is_demo)
     overriding system value
     select next.id, $1, $2, $3,
            case when $1::int is null then text2ltree(next.id::text)
                 else (select path from orgs where id = $1) || text2ltree(next.id::text) end,
            $4, $5, $6
       from next
     returning ${ORG_COLUMNS}`,
    [input.parentId, input.kind, input.name, input.deployed, input.notDeployedReason, input.isDemo ?? false],
  );
}

export async function listChildren(sql: Sql, parentId: number): Promise<Org[]> {
  return sql.query<Org>(`select ${ORG_COLUMNS} from orgs where parent_id = $1 order by name`, [parentId]);
}

export async function listRoots(sql: Sql): Promise<Org[]> {
  return sql.query<Org>(`select ${ORG_COLUMNS} from orgs where parent_id is null order by name`);
}

/** Moves an org and its subtree under a new parent, rewriting the paths of units, members and documents. */
export async function reparentOrg(sql: Sql, org: Org, newParent: Org): Promise<void> {
  const params = [org.path, newParent.path];
  const newPath = `text2ltree($2) || subpath(%col%, nlevel(text2ltree($1)) - 1)`;
  await sql.query(`update orgs set path = ${newPath.replace('%col%', 'path')} where path <@ text2ltree($1)`, params);
  await sql.query(
    `update members set cell_path = ${newPath.replace('%col%', 'cell_path')} where cell_path <@ text2ltree($1)`,
    params,
  );
  // The assistant's documents keep their unit's subtree, and questions the place they were asked from.
  await sql.query(
    `update kb_documents set visibility_path = ${newPath.replace('%col%', 'visibility_path')}
      where visibility_path <@ text2ltree($1)`,
    params,
  );
  await sql.query(
    `update kb_questions set scope_path = ${newPath.replace('%col%', 'scope_path')} where scope_path <@ text2ltree($1)`,
    params,
  );
  await sql.query(
    `update kb_lessons set org_path = ${newPath.replace('%col%', 'org_path')} where org_path <@ text2ltree($1)`,
    params,
  );
  await sql.query(`update orgs set parent_id = $2 where id = $1`, [org.id, newParent.id]);
}

export async function setDeployment(sql: Sql, orgId: number, deployed: boolean, reason: string | null): Promise<void> {
  await sql.query(`update orgs set deployed = $2, not_deployed_reason = $3 where id = $1`, [
    orgId,
    deployed,
    deployed ? null : reason,
  ]);
}

export interface UnitStats {
  orgId: number;
  name: string;
  kind: OrgKind;
  deployed: boolean;
  notDeployedReason: string | null;
  members: number;
  official: number;
  probationary: number;
  linked: number;
}

/**
 * Members and chat adoption for each cell in a subtree, one index-backed pass
 * (`cell_path <@ root`), no recursive walk.
 */
export async function subtreeCellStats(sql: Sql, rootPath: string): Promise<UnitStats[]> {
  return sql.query<UnitStats>(
    `select o.id as "orgId", o.name, o.kind, o.deployed, o.not_deployed_reason as "notDeployedReason",
            coalesce(m.members, 0)::int as members, coalesce(m.official, 0)::int as official,
            coalesce(m.probationary, 0)::int as probationary, coalesce(m.linked, 0)::int as linked
       from orgs o
       left join (
         select mm.cell_id,
                count(*) as members,
                count(*) filter (where mm.status = 'official') as official,
                count(*) filter (where mm.status = 'probationary') as probationary,
                count(*) filter (where exists (
                  select 1 from chat_accounts c where c.member_id = mm.id and c.unlinked_at is null)) as linked
           from members mm
          where mm.cell_path <@ text2ltree($1) and mm.active
          group by mm.cell_id
       ) m on m.cell_id = o.id
      where o.path <@ text2ltree($1) and o.kind in ('cell', 'grassroots_cell')
      order by o.path`,
    [rootPath],
  );
}
