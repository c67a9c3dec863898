import type { Deps } from '../context.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { IDLE_MINUTES } from './policy.ts';
import { findSessionByToken, touchSession } from './session-repository.ts';

/** A browser that never signed in (no cookie): who the console is for and how to get in. */
export const SIGN_IN_MESSAGE =
  'Trang quản trị dành cho bí thư chi bộ, cấp ủy và biên tập tài liệu. Xin đồng chí nhắn “quản trị” cho bot ' +
  'trong tin nhắn riêng (Telegram, Zalo hoặc web chat) để nhận đường dẫn đăng nhập dùng một lần.';

export const SESSION_ENDED_MESSAGE =
  'Phiên làm việc đã hết hạn hoặc đã đăng xuất. Hãy nhắn "quản trị" cho bot để nhận đường dẫn đăng nhập mới.';

export interface ConsoleSession {
  id: number;
  principal: Principal;
}

/**
 * The session behind a browser's cookie, or 401 when it is unknown, ended (logout, revocation,
 * the last role gone), expired, idle too long, or its member deactivated.
 */
export async function resumeConsoleSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string | undefined,
): Promise<ConsoleSession> {
  const now = deps.clock.now();
  const s = token ? await findSessionByToken(deps.db, token) : undefined;
  const idleLimit = new Date(now.getTime() - IDLE_MINUTES * 60_000);
  if (!s || s.endedAt || s.expiresAt <= now || s.lastSeenAt < idleLimit || !s.memberActive) {
    throw new AppError('unauthorized', token ? SESSION_ENDED_MESSAGE : SIGN_IN_MESSAGE, {
      detail: !s
        ? 'no console session'
        : s.endedAt
          ? 'session ended'
          : s.memberActive
            ? 'session expired'
            : 'member deactivated',
    });
  }
  // Written at most once a minute: reading pages should not be a stream of writes.
  if (now.getTime() - s.lastSeenAt.getTime() > 60_000) await touchSession(deps.db, s.id, now);
  return { id: s.id, principal: s.principal };
}
