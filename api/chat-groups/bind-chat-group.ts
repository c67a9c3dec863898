/**
 * A cell's chat group (Telegram or Zalo) is bound to the cell by its secretary, so meeting
 * announcements and vote results are posted there. Two steps keep it safe: the secretary
 * gets a one-time code in a private chat, then sends it in the group.
 */
import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { CAN, hasRole, requireRole } from '../auth/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { generateLinkCode, hashLinkCode, normalizeLinkCode } from '../chat-accounts/link-code.ts';

export const GROUP_CODE_TTL_MINUTES = 30;

export async function issueGroupBindCode(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  cellId: number,
): Promise<string> {
  await requireRole(deps.db, actor, cellId, CAN.runMeetings);
  const code = generateLinkCode();
  const expiresAt = new Date(deps.clock.now().getTime() + GROUP_CODE_TTL_MINUTES * 60_000);
  await deps.db.query(
    `insert into group_bind_codes (org_id, code_hash, issued_by, expires_at) values ($1, $2, $3, $4)`,
    [cellId, hashLinkCode(normalizeLinkCode(code)!), actor.id, expiresAt],
  );
  return code;
}

export async function bindChatGroup(
  deps: Pick<Deps, 'db' | 'clock'>,
  actor: Principal,
  group: { channel: string; botKey: string; chatId: string; title?: string | null; code: string },
): Promise<{ orgId: number; orgName: string }> {
  const canonical = normalizeLinkCode(group.code);
  const now = deps.clock.now();
  return deps.db.tx(async (sql) => {
    const claimed = canonical
      ? await sql.query<{ orgId: number }>(
          `update group_bind_codes set used_at = $2 where code_hash = $1 and used_at is null and expires_at > $2
            returning org_id as "orgId"`,
          [hashLinkCode(canonical), now],
        )
      : [];
    if (claimed.length === 0)
      throw new AppError(
        'gone',
        'Mã gắn nhóm không đúng, đã dùng hoặc đã hết hạn. Nhắn riêng "/ganchibo" cho bot để lấy mã mới.',
      );
    const orgId = claimed[0].orgId;
    await requireRole(sql, actor, orgId, CAN.runMeetings);
    // Re-binding a group takes it from the unit it served: that needs the right there too.
    const [current] = await sql.query<{ orgId: number }>(
      `select org_id as "orgId" from chat_groups where channel = $1 and bot_key = $2 and chat_id = $3
        and unbound_at is null`,
      [group.channel, group.botKey, group.chatId],
    );
    if (current && current.orgId !== orgId) {
      if (!(await hasRole(sql, actor.id, current.orgId, CAN.runMeetings)))
        throw new AppError('forbidden', 'Nhóm này đang gắn với chi bộ khác; chỉ bí thư chi bộ đó mới gỡ được.', {
          detail: `principal ${actor.id} may not take group from org ${current.orgId}`,
        });
    }
    await sql.query(
      `update chat_groups set unbound_at = $4 where channel = $1 and bot_key = $2 and chat_id = $3
        and unbound_at is null`,
      [group.channel, group.botKey, group.chatId, now],
    );
    await sql.query(
      `insert into chat_groups (channel, bot_key, chat_id, org_id, title, bound_by, bound_at)
        values ($1, $2, $3, $4, $5, $6, $7)`,
      [group.channel, group.botKey, group.chatId, orgId, group.title ?? null, actor.id, now],
    );
    await recordAudit(sql, {
      actorPrincipalId: actor.id,
      action: 'chat_group.bound',
      subjectType: 'org',
      subjectId: orgId,
      details: { channel: group.channel },
      at: now,
    });
    const [{ name }] = await sql.query<{ name: string }>(`select name from orgs where id = $1`, [orgId]);
    return { orgId, orgName: name };
  });
}
