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
  | { kind: 'notice-read'; noticeId: number }
  /** A member checked in online who is in the room votes on paper there instead (a secret ballot with few online). */
  | { kind: 'vote-on-paper'; meetingId: number };

/** A button (Telegram), a numbered option (Zalo) or a button on the web chat. */
export interface ActionChoice {
  label: string;
  action: DomainAction;
  /**
   * A secret ballot's choice: where a channel shows the member's own press (the web chat's
   * bubble), it shows "Đã bỏ phiếu kín", never the label — someone beside the phone would see it.
   */
  secret?: true;
}

/**
 * Something a member does in a private chat with the bot, reached from a shared place: a
 * notice posted to the cell's group ("read and acknowledge it privately"), the room's QR code
 * (check in with the room's code). Channels with deep links (Telegram: t.me/<bot>?start=…)
 * render a link that opens the bot on it; the others say what to type there.
 */
export type DeepLinkAction = { kind: 'notice-open'; noticeId: number } | { kind: 'room-check-in'; code: string };

export interface DeepLink {
  label: string;
  action: DeepLinkAction;
}
