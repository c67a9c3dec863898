/**
 * Console sign-in links and sessions: the SQL. Only SHA-256 hashes of the secrets are kept,
 * so a copy of the database opens no session.
 */
import crypto from 'node:crypto';
import { maybeOne, type Sql } from '../db/connect.ts';
import { hashSecret } from '../auth/tokens.ts';
import type { Principal } from '../auth/principal.ts';

export const newSecret = () => crypto.randomBytes(32).toString('base64url');
export const LOOKS_LIKE_SECRET = /^[\w-]{43}$/;

export async function insertLoginLink(sql: Sql, principalId: number, token: string, expiresAt: Date, now: Date) {
  await sql.query(
    `insert into console_login_links (principal_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4)`,
    [principalId, hashSecret(token), now, expiresAt],
  );
}

export interface LoginLinkRow {
  id: number;
  principalId: number;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function findLoginLink(sql: Sql, token: string, lock = false): Promise<LoginLinkRow | undefined> {
  if (!LOOKS_LIKE_SECRET.test(token)) return undefined;
  return maybeOne<LoginLinkRow>(
    sql,
    `select id, principal_id as "principalId", expires_at as "expiresAt", used_at as "usedAt"
       from console_login_links where token_hash = $1 ${lock ? 'for update' : ''}`,
    [hashSecret(token)],
  );
}

export async function markLoginLinkUsed(sql: Sql, id: number, at: Date) {
  await sql.query(`update console_login_links set used_at = $2 where id = $1`, [id, at]);
}

export async function insertSession(
  sql: Sql,
  s: { principalId: number; token: string; userAgent: string | null; now: Date; expiresAt: Date },
): Promise<number> {
  const [row] = await sql.query<{ id: number }>(
    `insert into console_sessions (principal_id, token_hash, user_agent, created_at, last_seen_at, expires_at)
     values ($1, $2, $3, $4, $4, $5) returning id`,
    [s.principalId, hashSecret(s.token), s.userAgent?.slice(0, 200) ?? null, s.now, s.expiresAt],
  );
  return row.id;
}

export interface SessionRow {
  id: number;
  principal: Principal;
  /** False when the principal is a member who has been deactivated. */
  memberActive: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
}

export async function findSessionByToken(sql: Sql, token: string): Promise<SessionRow | undefined> {
  if (!LOOKS_LIKE_SECRET.test(token)) return undefined;
  const row = await maybeOne(
    sql,
    `select s.id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at,
            p.id as principal_id, p.display_name, p.member_id, coalesce(m.active, true) as member_active
       from console_sessions s join principals p on p.id = s.principal_id left join members m on m.id = p.member_id
      where s.token_hash = $1`,
    [hashSecret(token)],
  );
  if (!row) return undefined;
  return {
    id: row.id,
    principal: { id: row.principal_id, displayName: row.display_name, memberId: row.member_id },
    memberActive: row.member_active,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}

export async function touchSession(sql: Sql, id: number, at: Date) {
  await sql.query(`update console_sessions set last_seen_at = $2 where id = $1`, [id, at]);
}

export interface SessionListRow {
  id: number;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function listOpenSessions(sql: Sql, principalId: number, now: Date): Promise<SessionListRow[]> {
  return sql.query<SessionListRow>(
    `select id, user_agent as "userAgent", created_at as "createdAt", last_seen_at as "lastSeenAt",
      expires_at as "expiresAt"
       from console_sessions where principal_id = $1 and ended_at is null and expires_at > $2 order by created_at desc`,
    [principalId, now],
  );
}

/** Ends a session of this principal; false when there was none open. */
export async function endSessionRow(sql: Sql, principalId: number, sessionId: number, at: Date): Promise<boolean> {
  const rows = await sql.query(
    `update console_sessions set ended_at = $3 where id = $2 and principal_id = $1 and ended_at is null returning id`,
    [principalId, sessionId, at],
  );
  return rows.length > 0;
}

/**
 * Ends every open console session of a principal and voids its unused sign-in links (its
 * rights ended, or it was revoked); returns how many sessions were open.
 */
export async function endPrincipalConsoleAccess(sql: Sql, principalId: number, at: Date): Promise<number> {
  await sql.query(
    `update console_login_links set expires_at = $2 where principal_id = $1 and used_at is null and expires_at > $2`,
    [principalId, at],
  );
  const rows = await sql.query(
    `update console_sessions set ended_at = $2 where principal_id = $1 and ended_at is null returning id`,
    [principalId, at],
  );
  return rows.length;
}
