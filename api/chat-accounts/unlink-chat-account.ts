import type { Deps } from '../context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { findActiveAccount, unlinkAccount, type Channel } from './repository.ts';

/** The member unlinks this chat account (e.g. before changing phone); returns whether one was linked. */
export async function unlinkChatAccount(
  deps: Pick<Deps, 'db' | 'clock'>,
  who: { channel: Channel; botKey: string; externalUserId: string },
): Promise<boolean> {
  return deps.db.tx(async (sql) => {
    const account = await findActiveAccount(sql, who.channel, who.botKey, who.externalUserId);
    if (!account) return false;
    await unlinkAccount(sql, account.id, deps.clock.now());
    await recordAudit(sql, {
      action: 'chat_account.unlinked',
      subjectType: 'member',
      subjectId: account.memberId,
      details: { channel: who.channel, botKey: who.botKey },
    });
    return true;
  });
}
