/**
 * Roles hold on an organisation and its subtree (a grant on a province covers every unit
 * beneath it). Plain membership is implicit: a member is a member of their own cell.
 */
import { AppError, forbidden } from '../errors.ts';
import type { Sql } from '../db/connect.ts';
import { ORG_KINDS, type OrgKind } from '../orgs/kinds.ts';
import type { Principal } from './principal.ts';

export const ROLES = ['admin', 'committee', 'secretary', 'editor'] as const;
export type Role = (typeof ROLES)[number];

/** Who may do what, by kind of action. Admin may do everything. */
export const CAN = {
  manageMembers: ['admin', 'secretary', 'committee'],
  readOrg: ['admin', 'committee', 'secretary'],
  runMeetings: ['admin', 'secretary'],
  publish: ['admin', 'committee', 'secretary'],
  manageOrgs: ['admin'],
  grantRoles: ['admin'],
  editDocuments: ['admin', 'editor'],
  /** The audit log of a unit's subtree (console): committees and admins. */
  readAudit: ['admin', 'committee'],
} as const satisfies Record<string, readonly Role[]>;

export async function hasRole(sql: Sql, principalId: number, orgId: number, roles: readonly Role[]): Promise<boolean> {
  const rows = await sql.query(
    `select 1 from role_grants g
       join orgs granted on granted.id = g.org_id
       join orgs target on target.id = $2
      where g.principal_id = $1 and g.role = any($3::text[]) and target.path <@ granted.path
      limit 1`,
    [principalId, orgId, roles],
  );
  return rows.length > 0;
}

/** Throws 403 unless the principal holds one of `roles` on `orgId` or an ancestor. */
export async function requireRole(
  sql: Sql,
  principal: Principal | null | undefined,
  orgId: number,
  roles: readonly Role[],
): Promise<Principal> {
  if (!principal) throw new AppError('unauthorized', 'Bạn cần đăng nhập.');
  if (!(await hasRole(sql, principal.id, orgId, roles))) {
    throw forbidden(`principal ${principal.id} lacks ${roles.join('|')} on org ${orgId}`);
  }
  return principal;
}

/**
 * Who may spend money on the organisation's behalf (Telegram paid broadcast spends the bot's
 * Stars): a list of `role` or `role@kind` entries. `role@kind` means the role held on a unit
 * of that kind or a higher one (`committee@province`: a committee grant on a province or the
 * centre); a bare role counts on any unit above the target. Set with PAID_BROADCAST_ROLES.
 */
export const DEFAULT_PAID_BROADCAST_ROLES = 'admin,committee@province';

export interface SpendRule {
  role: Role;
  /** Kinds of unit the grant must be held on; null: any. */
  kinds: OrgKind[] | null;
}

export function parseSpendRules(text: string): SpendRule[] {
  const rules = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [role, kind, extra] = entry.split('@');
      const level = kind === undefined ? -1 : ORG_KINDS.indexOf(kind as OrgKind);
      if (!ROLES.includes(role as Role) || (kind !== undefined && level < 0) || extra !== undefined) {
        throw new AppError(
          'startup',
          `PAID_BROADCAST_ROLES không hợp lệ: "${entry}". Dạng: vai trò hoặc vai trò@cấp, ` +
            `ví dụ "${DEFAULT_PAID_BROADCAST_ROLES}" ` +
            `(vai trò: ${ROLES.join(', ')}; cấp: ${ORG_KINDS.join(', ')}).`,
        );
      }
      return { role: role as Role, kinds: level < 0 ? null : ORG_KINDS.slice(0, level + 1) };
    });
  return rules;
}

/** Whether the principal holds a grant matching one of `rules` on `orgId` or an ancestor. */
export async function hasSpendRight(sql: Sql, principalId: number, orgId: number, rules: SpendRule[]) {
  if (rules.length === 0) return false;
  const pairs = rules.flatMap((r) => (r.kinds ?? ['*']).map((k) => [r.role, k] as const));
  const rows = await sql.query(
    `select 1 from role_grants g
       join orgs granted on granted.id = g.org_id
       join orgs target on target.id = $2
       join unnest($3::text[], $4::text[]) as r(role, kind) on r.role = g.role and (r.kind = '*'
         or r.kind = granted.kind)
      where g.principal_id = $1 and target.path <@ granted.path
      limit 1`,
    [principalId, orgId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
  return rows.length > 0;
}

export interface RoleGrant {
  orgId: number;
  orgName: string;
  role: Role;
}

export async function listRoleGrants(sql: Sql, principalId: number): Promise<RoleGrant[]> {
  return sql.query<RoleGrant>(
    `select g.org_id as "orgId", o.name as "orgName", g.role
       from role_grants g join orgs o on o.id = g.org_id
      where g.principal_id = $1 order by o.path`,
    [principalId],
  );
}

/** Grants a role; returns whether it is new (false: the principal held it already). */
export async function grantRole(sql: Sql, principalId: number, orgId: number, role: Role): Promise<boolean> {
  const rows = await sql.query(
    `insert into role_grants (principal_id, org_id, role) values ($1, $2, $3) on conflict do nothing returning id`,
    [principalId, orgId, role],
  );
  return rows.length > 0;
}

/** A grant as listed: who holds which role on which unit. */
export interface GrantRow {
  id: number;
  orgId: number;
  orgName: string;
  role: Role;
  principalId: number;
  principalName: string;
  memberId: number | null;
  createdAt: Date;
}

const GRANT_COLUMNS = `g.id, g.org_id as "orgId", o.name as "orgName", g.role, g.principal_id as "principalId",
  p.display_name as "principalName", p.member_id as "memberId", g.created_at as "createdAt"`;

export async function findGrant(sql: Sql, id: number): Promise<GrantRow | undefined> {
  const [row] = await sql.query<GrantRow>(
    `select ${GRANT_COLUMNS}
       from role_grants g join orgs o on o.id = g.org_id join principals p on p.id = g.principal_id
      where g.id = $1`,
    [id],
  );
  return row;
}

/** Every grant on a unit of the subtree at `path`, the unit's own first. */
export async function listGrantsUnder(sql: Sql, path: string): Promise<GrantRow[]> {
  return sql.query<GrantRow>(
    `select ${GRANT_COLUMNS}
       from role_grants g join orgs o on o.id = g.org_id join principals p on p.id = g.principal_id
      where o.path <@ text2ltree($1) order by o.path, g.role, p.display_name, g.id limit 2000`,
    [path],
  );
}

/** Deletes grants by id; returns those deleted. */
export async function deleteGrants(
  sql: Sql,
  ids: number[],
): Promise<{ id: number; orgId: number; role: Role; principalId: number }[]> {
  if (ids.length === 0) return [];
  return sql.query(
    `delete from role_grants where id = any($1::int[])
     returning id, org_id as "orgId", role, principal_id as "principalId"`,
    [ids],
  );
}
