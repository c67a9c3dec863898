import crypto from 'node:crypto';
import { maybeOne, type Sql } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';

export const API_TOKEN_PREFIX = 'sdv_';

/** A token issued without an expiry lapses after this many days (the database default too, migration 050). */
export const DEFAULT_TOKEN_DAYS = 90;
/** No token lives longer than this. */
export const MAX_TOKEN_DAYS = 366;

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** When a token issued now for `days` days (default DEFAULT_TOKEN_DAYS) expires; refuses other lengths. */
export function tokenExpiry(now: Date, days: number = DEFAULT_TOKEN_DAYS): Date {
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw new AppError('validation', `Thời hạn mã truy cập phải là số ngày từ 1 đến ${MAX_TOKEN_DAYS}.`, {
      field: 'days',
    });
  }
  return new Date(now.getTime() + days * 86_400_000);
}

/**
 * Issues a bearer token; only its hash is stored, so the plain token is shown once. It
 * expires after DEFAULT_TOKEN_DAYS unless a (bounded) expiry is given.
 */
export async function createApiToken(
  sql: Sql,
  principalId: number,
  options: { label?: string; expiresAt?: Date; now?: Date } = {},
): Promise<string> {
  const now = options.now ?? new Date();
  const expiresAt = options.expiresAt ?? tokenExpiry(now);
  if (expiresAt.getTime() > tokenExpiry(now, MAX_TOKEN_DAYS).getTime()) {
    throw new AppError('validation', `Mã truy cập không thể có hạn quá ${MAX_TOKEN_DAYS} ngày.`, { field: 'days' });
  }
  const token = API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  await sql.query(
    `insert into api_tokens (principal_id, token_hash, label, created_at, expires_at) values ($1, $2, $3, $4, $5)`,
    [principalId, hashSecret(token), options.label ?? '', now, expiresAt],
  );
  return token;
}

/**
 * The principal of a token that is neither revoked nor expired, with the token's id and
 * expiry. A member's token stops when the member is deactivated: rights end with membership.
 */
export async function findTokenPrincipal(
  sql: Sql,
  token: string,
  now: Date,
): Promise<{ principal: Principal; tokenId: number; expiresAt: Date } | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await maybeOne<Principal & { tokenId: number; expiresAt: Date }>(
    sql,
    `select p.id, p.display_name as "displayName", p.member_id as "memberId", t.id as "tokenId",
      t.expires_at as "expiresAt"
       from api_tokens t join principals p on p.id = t.principal_id left join members m on m.id = p.member_id
      where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2 and (p.member_id is null or m.active)`,
    [hashSecret(token), now],
  );
  if (!row) return undefined;
  const { tokenId, expiresAt, ...principal } = row;
  return { principal, tokenId, expiresAt: new Date(expiresAt) };
}

/** A token as listed: never the token itself (only its hash is kept anyway). */
export interface TokenInfo {
  id: number;
  principalId: number;
  principalName: string;
  label: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** 'active' | 'expired' | 'revoked' at the time of listing. */
  state: 'active' | 'expired' | 'revoked';
}

const TOKEN_COLUMNS = `t.id, t.principal_id as "principalId", p.display_name as "principalName", t.label,
  t.created_at as "createdAt", t.expires_at as "expiresAt", t.revoked_at as "revokedAt",
  case when t.revoked_at is not null then 'revoked' when t.expires_at <= $1 then 'expired' else 'active' end as state`;

/**
 * Tokens, newest first: of one principal, or of every principal holding a role inside the
 * subtree of `underOrgPath` (an admin's view), or all (the command line).
 */
export async function listTokens(
  sql: Sql,
  now: Date,
  filter: { principalId?: number; underOrgPath?: string; includeInactive?: boolean } = {},
): Promise<TokenInfo[]> {
  return sql.query<TokenInfo>(
    `select ${TOKEN_COLUMNS}
       from api_tokens t join principals p on p.id = t.principal_id
      where ($2::int is null or t.principal_id = $2)
        and ($3::text is null or exists (
              select 1 from role_grants g join orgs o on o.id = g.org_id
               where g.principal_id = t.principal_id and o.path <@ text2ltree($3))
            or exists (
              select 1 from members m where m.id = p.member_id and m.cell_path <@ text2ltree($3)))
        and ($4 or (t.revoked_at is null and t.expires_at > $1))
      order by t.id desc
      limit 1000`,
    [now, filter.principalId ?? null, filter.underOrgPath ?? null, filter.includeInactive ?? false],
  );
}

export async function findToken(sql: Sql, tokenId: number, now: Date): Promise<TokenInfo | undefined> {
  return maybeOne<TokenInfo>(
    sql,
    `select ${TOKEN_COLUMNS} from api_tokens t join principals p on p.id = t.principal_id where t.id = $2`,
    [now, tokenId],
  );
}

/** Marks a token revoked (idempotent); returns whether it was active before. */
export async function markTokenRevoked(
  sql: Sql,
  tokenId: number,
  now: Date,
  revokedBy: number | null,
): Promise<boolean> {
  const rows = await sql.query(
    `update api_tokens set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null returning id`,
    [tokenId, now, revokedBy],
  );
  return rows.length > 0;
}
