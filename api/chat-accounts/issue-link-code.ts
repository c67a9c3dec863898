import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, requireRole } from '../auth/roles.ts';
import { notFound } from '../errors.ts';
import { findMember } from '../members/repository.ts';
import { generateLinkCode, hashLinkCode, normalizeLinkCode } from './link-code.ts';

export const LINK_CODE_TTL_HOURS = 72;

/**
 * A secretary issues a one-time code for a member of their cell; the member sends it to a
 * bot (or opens the web-chat link) to link that chat account. Issuing a new code voids the
 * member's earlier unused ones (their number is returned, so the secretary is told). Only the hash
 * is stored.
 */
export async function issueLinkCode(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  memberId: number,
): Promise<{ code: string; expiresAt: Date; replaced: number }> {
  return deps.db.tx(async (sql) => {
    const member = await findMember(sql, memberId);
    if (!member?.active) throw notFound('đảng viên', `member ${memberId}`);
    await requireRole(sql, actor, member.cellId, CAN.manageMembers);
    const now = deps.clock.now();
    const voided = await sql.query(
      `update link_codes set expires_at = $2 where member_id = $1 and used_at is null and expires_at > $2
       returning id`,
      [memberId, now],
    );
    const code = generateLinkCode();
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_HOURS * 3600_000);
    await sql.query(
      `insert into link_codes (member_id, code_hash, issued_by, created_at, expires_at) values ($1, $2, $3, $4, $5)`,
      [memberId, hashLinkCode(normalizeLinkCode(code)!), actor.id, now, expiresAt],
    );
    return { code, expiresAt, replaced: voided.length };
  });
}
