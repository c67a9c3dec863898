import type { Deps } from '../context.ts';
import type { Sql } from '../db/connect.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { THROTTLES, throttle } from '../throttle/throttle.ts';
import { findMember, type Member } from '../members/repository.ts';
import { hashLinkCode, normalizeLinkCode } from './link-code.ts';
import { findActiveAccount, insertAccount, unlinkAccount, type Channel, type ChatAccount } from './repository.ts';

export const MAX_FAILED_LINK_ATTEMPTS = THROTTLES.linkCodeAccount.points;

export interface LinkRequest {
  channel: Channel;
  botKey: string;
  externalUserId: string;
  chatId: string;
  displayName?: string | null;
  code: string;
  /** A provincial bot serves only its own subtree: members outside it are refused. */
  withinOrgId?: number | null;
  /** The client's network address when the code arrives over HTTP (web chat): throttled too. */
  clientAddress?: string | null;
}

/**
 * Redeems a one-time code for a chat account. Single use (the code row is claimed with a
 * guarded update), expiring, and throttled per chat identity so codes cannot be guessed.
 * A chat account links to at most one member: linking again replaces the old link.
 */
export async function linkChatAccount(
  deps: Pick<Deps, 'db' | 'clock'>,
  req: LinkRequest,
): Promise<{ account: ChatAccount; member: Member }> {
  const now = deps.clock.now();
  // Throttled per chat account, per client address, and — for a chat already linked (a
  // re-link) — per member: the web chat's account id is new on every sign-in, and its
  // address may be a proxy's, but a signed-in member is the same member in every session.
  const linked = await findActiveAccount(deps.db, req.channel, req.botKey, req.externalUserId);
  const keys = [
    ...(req.channel === 'web' ? [] : [`account:${req.channel}:${req.botKey}:${req.externalUserId}`]),
    ...(linked ? [`member:${linked.memberId}`] : []),
    ...(req.clientAddress ? [`address:${req.clientAddress}`] : []),
  ];
  const guard = throttle(deps.db, 'linkCodeAccount');
  const byAddress = throttle(deps.db, 'linkCodeAddress');
  await Promise.all(keys.map((k) => (k.startsWith('address:') ? byAddress : guard).attempt(k)));
  const canonical = normalizeLinkCode(req.code);
  const result = canonical ? await claim(deps, req, hashLinkCode(canonical), now) : undefined;
  if (!result) {
    throw new AppError('gone', 'Mã liên kết không đúng, đã dùng hoặc đã hết hạn. Xin bí thư chi bộ cấp mã mới.', {
      detail: canonical ? 'unknown, used or expired code' : 'malformed code',
    });
  }
  await Promise.all(keys.map((k) => (k.startsWith('address:') ? byAddress : guard).succeeded(k)));
  return result;
}

async function assertServedByBot(sql: Sql, memberId: number, botOrgId: number): Promise<void> {
  const rows = await sql.query(
    `select 1 from members m join orgs o on o.id = $2 where m.id = $1 and m.cell_path <@ o.path`,
    [memberId, botOrgId],
  );
  if (rows.length === 0) {
    // Thrown inside the claiming transaction, so the code stays unused for the right bot.
    throw new AppError(
      'forbidden',
      'Bot này phục vụ đảng bộ khác. Hãy dùng bot của đảng bộ tỉnh nơi bạn sinh hoạt để liên kết.',
    );
  }
}

async function claim(deps: Pick<Deps, 'db'>, req: LinkRequest, codeHash: string, now: Date) {
  return deps.db.tx(async (sql) => {
    const claimed = await sql.query<{ memberId: number }>(
      `update link_codes set used_at = $2 where code_hash = $1 and used_at is null and expires_at > $2
        returning member_id as "memberId"`,
      [codeHash, now],
    );
    if (claimed.length === 0) return undefined;
    const member = await findMember(sql, claimed[0].memberId);
    if (!member?.active) return undefined;
    if (req.withinOrgId) await assertServedByBot(sql, member.id, req.withinOrgId);
    const existing = await findActiveAccount(sql, req.channel, req.botKey, req.externalUserId);
    if (existing) await unlinkAccount(sql, existing.id, now);
    const account = await insertAccount(
      sql,
      {
        channel: req.channel,
        botKey: req.botKey,
        externalUserId: req.externalUserId,
        chatId: req.chatId,
        memberId: member.id,
        displayName: req.displayName ?? null,
      },
      now,
    );
    await recordAudit(sql, {
      action: 'chat_account.linked',
      subjectType: 'member',
      subjectId: member.id,
      details: { channel: req.channel, botKey: req.botKey },
      at: now,
    });
    return { account, member };
  });
}
