import { one, maybeOne, type Sql } from '../db/connect.ts';

/** Whoever is acting: an API token holder, or a member in chat. */
export interface Principal {
  id: number;
  displayName: string;
  memberId: number | null;
}

export async function findPrincipal(sql: Sql, id: number): Promise<Principal | undefined> {
  return maybeOne<Principal>(
    sql,
    `select id, display_name as "displayName", member_id as "memberId" from principals where id = $1`,
    [id],
  );
}

export async function createPrincipal(
  sql: Sql,
  displayName: string,
  memberId: number | null = null,
): Promise<Principal> {
  return one<Principal>(
    sql,
    `insert into principals (display_name, member_id) values ($1, $2)
     returning id, display_name as "displayName", member_id as "memberId"`,
    [displayName, memberId],
  );
}

/** The member's principal, created on first use (members act in chat without an API token). */
export async function ensureMemberPrincipal(sql: Sql, memberId: number): Promise<Principal> {
  return one<Principal>(
    sql,
    `with found as (
       select id, display_name, member_id from principals where member_id = $1
     ), created as (
       insert into principals (display_name, member_id)
       select full_name, id from members where id = $1 and not exists (select 1 from found)
       on conflict (member_id) do nothing
       returning id, display_name, member_id
     )
     select id, display_name as "displayName", member_id as "memberId" from found
     union all select id, display_name, member_id from created`,
    [memberId],
  );
}
