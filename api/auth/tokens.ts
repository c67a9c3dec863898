import crypto from 'node:crypto';
import { maybeOne, type Sql } from '../db/connect.ts';
import type { Principal } from './principal.ts';

export const API_TOKEN_PREFIX = 'sdv_';

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** Issues a bearer token; only its hash is stored, so the plain token is shown once. */
export async function createApiToken(
  sql: Sql,
  principalId: number,
  options: { label?: string; expiresAt?: Date | null } = {},
): Promise<string> {
  const token = API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  await sql.query(`insert into api_tokens (principal_id, token_hash, label, expires_at) values ($1, $2, $3, $4)`, [
    principalId,
    hashSecret(token),
    options.label ?? '',
    options.expiresAt ?? null,
  ]);
  return token;
}

export async function findPrincipalByToken(sql: Sql, token: string, now: Date): Promise<Principal | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return undefined;
  return maybeOne<Principal>(
    sql,
    `select p.id, p.display_name as "displayName", p.member_id as "memberId"
       from api_tokens t join principals p on p.id = t.principal_id
      where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)`,
    [hashSecret(token), now],
  );
}
