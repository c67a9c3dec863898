/**
 * What a member can do in reply to a message the domain sends (a vote, "Đã đọc", "Tham dự"…),
 * as typed values. The domain offers these actions; the conversation core alone turns them
 * into button data and back (bot/core/actions.ts), so no use case writes a chat command's
 * syntax and each action has one wire format.
 */
import type { Choice as VoteChoice } from '../meetings/motions.ts';

export type DomainAction =
  | { kind: 'vote'; motionId: number; choice: VoteChoice }
  | { kind: 'attend'; meetingId: number; attending: boolean }
  | { kind: 'task-done'; taskId: number }
  | { kind: 'notice-read'; noticeId: number };

/** A button (Telegram), a numbered option (Zalo) or a button on the web chat. */
export interface ActionChoice {
  label: string;
  action: DomainAction;
}
