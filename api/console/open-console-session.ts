import type { Deps } from '../context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { AppError } from '../errors.ts';
import { SESSION_HOURS } from './policy.ts';
import { findLoginLink, insertSession, markLoginLinkUsed, newSecret } from './session-repository.ts';

export const BAD_LINK_MESSAGE =
  'Đường dẫn đăng nhập không hợp lệ, đã được dùng hoặc đã hết hạn. Hãy nhắn "quản trị" cho bot để nhận đường dẫn mới.';

/** True when the link may still be used (the page before the sign-in button shows this). */
export async function checkConsoleLink(deps: Pick<Deps, 'db' | 'clock'>, token: string): Promise<boolean> {
  const link = await findLoginLink(deps.db, token);
  return !!link && !link.usedAt && link.expiresAt > deps.clock.now();
}

/**
 * Trades a one-time sign-in link for a session: the link is marked used in the same
 * transaction (a replay finds it used), and the session secret goes only to the browser.
 */
export async function openConsoleSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string,
  userAgent: string | null,
): Promise<{ sessionToken: string; expiresAt: Date }> {
  const now = deps.clock.now();
  return deps.db.tx(async (sql) => {
    const link = await findLoginLink(sql, token, true);
    if (!link || link.usedAt || link.expiresAt <= now) {
      throw new AppError('unauthorized', BAD_LINK_MESSAGE, {
        detail: !link ? 'unknown console link' : link.usedAt ? 'console link replayed' : 'console link expired',
      });
    }
    await markLoginLinkUsed(sql, link.id, now);
    const sessionToken = newSecret();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    const id = await insertSession(sql, {
      principalId: link.principalId,
      token: sessionToken,
      userAgent,
      now,
      expiresAt,
    });
    await recordAudit(sql, {
      actorPrincipalId: link.principalId,
      action: 'console.signed_in',
      subjectType: 'console_session',
      subjectId: id,
      at: now,
    });
    return { sessionToken, expiresAt };
  });
}
