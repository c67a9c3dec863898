/**
 * Listing and revoking API tokens, and revoking a principal. Anyone may list and revoke their
 * own tokens; an admin may do it for a principal whose every grant (and member's cell) lies
 * inside the admin's subtree — an admin of one province can never cut off someone who also
 * acts elsewhere.
 *
 * What a token opened ends with it: the web-chat sessions signed in with it, and the
 * principal's console sessions and unused sign-in links (a console link may have been asked
 * for from such a web chat; the principal signs in again from chat). Those are checked in the
 * database on every request, so they end at once on every instance; the token itself within
 * the principal cache's time (PRINCIPAL_CACHE_MS) on other instances.
 */
import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { unlinkTokenAccounts } from '../chat-accounts/repository.ts';
import { endPrincipalConsoleAccess } from '../console/session-repository.ts';
import { forbidden, notFound } from '../errors.ts';
import { findPrincipal, type Principal } from './principal.ts';
import { CAN, hasRole } from './roles.ts';
import { findToken, listTokens, markTokenRevoked, type TokenInfo } from './tokens.ts';

/** Whether `actor` may see and revoke the tokens of principal `targetId`. */
export async function mayManagePrincipal(sql: Sql, actor: Principal, targetId: number): Promise<boolean> {
  if (actor.id === targetId) return true;
  const scopes = await sql.query<{ orgId: number }>(
    `select g.org_id as "orgId" from role_grants g where g.principal_id = $1
     union select m.cell_id from principals p join members m on m.id = p.member_id where p.id = $1`,
    [targetId],
  );
  if (scopes.length === 0) return false;
  for (const s of scopes) if (!(await hasRole(sql, actor.id, s.orgId, CAN.grantRoles))) return false;
  return true;
}

export async function listPrincipalTokens(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  input: { principalId?: number; includeInactive?: boolean },
): Promise<TokenInfo[]> {
  const principalId = input.principalId ?? actor.id;
  if (!(await mayManagePrincipal(deps.db, actor, principalId)))
    throw forbidden(`principal ${actor.id} may not list tokens of principal ${principalId}`);
  return listTokens(deps.db, deps.clock.now(), { principalId, includeInactive: input.includeInactive });
}

/**
 * Revokes a token (idempotent). `actor` null is the command line, which may revoke any token.
 * Returns the token as it is now.
 */
export async function revokeToken(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal | null,
  tokenId: number,
): Promise<TokenInfo> {
  return deps.db.tx(async (sql) => {
    const now = deps.clock.now();
    const token = await findToken(sql, tokenId, now);
    if (!token) throw notFound('mã truy cập');
    if (actor && !(await mayManagePrincipal(sql, actor, token.principalId)))
      throw forbidden(`principal ${actor.id} may not revoke token ${tokenId}`);
    await revokeTokenIn(sql, actor, token.principalId, tokenId, now);
    return (await findToken(sql, tokenId, now))!;
  });
}

/** Marks the token revoked and ends what it opened; audited when it was active. */
async function revokeTokenIn(sql: Sql, actor: Principal | null, principalId: number, tokenId: number, now: Date) {
  if (!(await markTokenRevoked(sql, tokenId, now, actor?.id ?? null))) return { webChats: 0, consoleSessions: 0 };
  const webChats = await unlinkTokenAccounts(sql, [tokenId], now);
  const consoleSessions = await endPrincipalConsoleAccess(sql, principalId, now);
  await recordAudit(sql, {
    actorPrincipalId: actor?.id ?? null,
    action: 'api_token.revoked',
    subjectType: 'principal',
    subjectId: principalId,
    details: { tokenId, via: actor ? 'api' : 'cli', webChats, consoleSessions },
    at: now,
  });
  return { webChats, consoleSessions };
}

/**
 * Revokes a principal: every active token, every web-chat session signed in with any of its
 * tokens, its console sessions and unused sign-in links. Its roles stay (remove them apart).
 * `actor` null is the command line. Returns the ids of the tokens revoked.
 */
export async function revokePrincipal(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal | null,
  principalId: number,
): Promise<{ principalId: number; tokensRevoked: number[]; webChats: number; consoleSessions: number }> {
  return deps.db.tx(async (sql) => {
    const now = deps.clock.now();
    if (!(await findPrincipal(sql, principalId))) throw notFound('tài khoản');
    if (actor && !(await mayManagePrincipal(sql, actor, principalId)))
      throw forbidden(`principal ${actor.id} may not revoke principal ${principalId}`);
    const active = await listTokens(sql, now, { principalId });
    let webChats = 0;
    let consoleSessions = 0;
    for (const t of active) {
      const ended = await revokeTokenIn(sql, actor, principalId, t.id, now);
      webChats += ended.webChats;
      consoleSessions += ended.consoleSessions;
    }
    // Sessions opened with tokens revoked or expired earlier, and a member's console opened from chat.
    const all = await sql.query<{ id: number }>(`select id from api_tokens where principal_id = $1`, [principalId]);
    webChats += await unlinkTokenAccounts(
      sql,
      all.map((t) => t.id),
      now,
    );
    consoleSessions += await endPrincipalConsoleAccess(sql, principalId, now);
    await recordAudit(sql, {
      actorPrincipalId: actor?.id ?? null,
      action: 'principal.revoked',
      subjectType: 'principal',
      subjectId: principalId,
      details: { tokens: active.length, via: actor ? 'api' : 'cli' },
      at: now,
    });
    return { principalId, tokensRevoked: active.map((t) => t.id), webChats, consoleSessions };
  });
}
