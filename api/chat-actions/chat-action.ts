/**
 * What a member can do in reply to a message the domain sends (a vote, "Đã đọc", "Tham dự"…),
 * as typed values. The domain offers these actions; the conversation core alone turns them
 * into button data and back (bot/core/actions.ts), so no use case writes a chat command's
 * syntax and each action has one wire format.
 */

export type DomainAction =
  /** One of the motion's own choices (for/against/abstain, or a discipline form); castVote checks it. */
  | { kind: 'vote'; motionId: number; choice: string }
  | { kind: 'attend'; meetingId: number; attending: boolean }
  | { kind: 'task-done'; taskId: number }
  | { kind: 'notice-read'; noticeId: number };

/** A button (Telegram), a numbered option (Zalo) or a button on the web chat. */
export interface ActionChoice {
  label: string;
  action: DomainAction;
}
