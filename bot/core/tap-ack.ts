/**
 * What a member sees the moment her tap reaches us, before it is processed: a short notice the
 * platform shows without a message (Telegram's answerCallbackQuery toast). The tap is already in
 * the durable inbox then — a crash does not lose it — so "ghi nhận" is true; whatever the domain
 * decides (a closed vote, a wrong meeting) follows as a message through the outbox.
 *
 * Read from the button data alone (no database): it must be fast, and it never names a choice —
 * the toast of a secret ballot looks exactly like an open one's.
 */
import { decodeAction } from './actions.ts';

/** Telegram shows at most 200 characters; ours stay far below. */
export const MAX_TAP_ACK_CHARS = 200;

export function tapAcknowledgement(choiceData: string): string | undefined {
  const action = decodeAction(choiceData);
  switch (action?.kind) {
    case 'vote':
      return 'Đã ghi nhận phiếu';
    case 'attend':
      return 'Đã ghi nhận trả lời';
    case 'task-done':
      return 'Đã ghi nhận hoàn thành';
    case 'notice-read':
      return 'Đã ghi nhận: đã đọc';
    case 'menu':
      return action.item === 'checkin' ? 'Đã ghi nhận điểm danh' : undefined;
    default:
      // Anything else: the spinner stops silently and the answer comes as a message.
      return undefined;
  }
}
