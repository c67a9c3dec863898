/**
 * Listing and revoking API tokens. Anyone may list and revoke their own tokens; an admin may
 * do it for a principal whose every grant (and member's cell) lies inside the admin's subtree
 * — an admin of one province can never cut off someone who also acts elsewhere.
 */
import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { forbidden, notFound } from '../errors.ts';
import type { Principal } from './principal.ts';
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
    if (await markTokenRevoked(sql, tokenId, now, actor?.id ?? null)) {
      await recordAudit(sql, {
        actorPrincipalId: actor?.id ?? null,
        action: 'api_token.revoked',
        subjectType: 'principal',
        subjectId: token.principalId,
        details: { tokenId, via: actor ? 'api' : 'cli' },
        at: now,
      });
    }
    return (await findToken(sql, tokenId, now))!;
  });
}
