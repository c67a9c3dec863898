/**
 * The one codec for deep links' start payloads. Telegram opens the bot from
 * t.me/<bot>?start=<payload> and sends "/start <payload>": "thongbao_12" opens notice 12,
 * "diemdanh_123456" checks in with the room's code. The domain names the action
 * (api/chat-actions/chat-action.ts); this file alone writes and reads the payload, and says
 * what to type instead on a platform without deep links (Zalo, the web chat).
 */
import type { DeepLink, DeepLinkAction } from '../../api/chat-actions/chat-action.ts';

export type { DeepLink, DeepLinkAction };

const NOTICE_START = 'thongbao_';
const CHECK_IN_START = 'diemdanh_';

/** The start payload of a deep link (Telegram allows 1–64 characters of A-Z a-z 0-9 _ -). */
export function encodeStart(a: DeepLinkAction): string {
  switch (a.kind) {
    case 'notice-open':
      return `${NOTICE_START}${a.noticeId}`;
    case 'room-check-in':
      return `${CHECK_IN_START}${a.code}`;
  }
}

/** The action of a start payload, or undefined when it is not one (a link code, garbage). */
export function decodeStart(payload: string): DeepLinkAction | undefined {
  const p = payload.trim();
  const notice = new RegExp(`^${NOTICE_START}([1-9]\\d{0,9})$`, 'i').exec(p)?.[1];
  if (notice) return { kind: 'notice-open', noticeId: Number(notice) };
  const code = new RegExp(`^${CHECK_IN_START}(\\d{6})$`, 'i').exec(p)?.[1];
  if (code) return { kind: 'room-check-in', code };
  return undefined;
}

/** What a member types in a private chat with the bot to do the same. */
export function typedInstead(a: DeepLinkAction): string {
  switch (a.kind) {
    case 'notice-open':
      return 'thông báo';
    case 'room-check-in':
      return `diemdanh ${a.code}`;
  }
}

/**
 * The line a channel without deep links adds for one ("Đọc và xác nhận: nhắn riêng cho bot và
 * gõ "thông báo"."), or undefined when the message already says what to type.
 */
export function deepLinkLine(text: string, link: DeepLink | undefined): string | undefined {
  if (!link) return undefined;
  const typed = typedInstead(link.action);
  if (text.includes(typed)) return undefined;
  return `👉 ${link.label}: nhắn riêng cho bot và gõ "${typed}".`;
}
