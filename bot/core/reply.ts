/**
 * The channel-neutral reply the core returns. Adapters render it: Telegram inline buttons
 * (and a reply keyboard), Zalo numbered options ("1", "2", …), buttons on the web chat;
 * each splits text to its limit.
 */
import { encodeAction, MAX_ACTION_BYTES, type ChatAction } from './actions.ts';
import type { DeepLink } from './deep-link.ts';

/** A button: its label and the typed action it stands for (bot/core/actions.ts encodes it). */
export type Choice =
  | {
      label: string;
      action: ChatAction;
      data?: undefined /** a secret ballot's choice (ActionChoice) */;
      secret?: true;
    }
  | LegacyChoice;

/**
 * Button data written by hand — only the assistant's 👍/👎 (commands/ask.ts) still does, in
 * the codec's own format; outbox rows queued before the codec may carry it too.
 */
interface LegacyChoice {
  label: string;
  data: string;
  action?: undefined;
}

export interface Reply {
  text: string;
  /** What the member is asked to pick now (a vote, "Đã đọc", the steps of a dialogue). */
  choices?: Choice[];
  /** The main menu: what the member can do next. Shown after the choices, if any. */
  menu?: Choice[];
  /**
   * Telegram's reply keyboard (the main actions under the text field): 'show' puts it there,
   * 'hide' removes it. Other channels ignore it.
   */
  keyboard?: 'show' | 'hide';
  /** The next message should be a number: Zalo must not offer numbered options then. */
  expects?: 'number';
  link?: { label: string; url: string };
  /** Phrases of `text` shown in bold where the channel can (Telegram); elsewhere they stay plain. */
  bold?: string[];
  /**
   * Opens the bot privately on an action (a notice posted to a group, the room's check-in):
   * Telegram renders a URL button to t.me/<bot>?start=…; channels without deep links add a
   * line saying what to type (bot/core/deep-link.ts).
   */
  deepLink?: DeepLink;
  /**
   * A QR code for the channel to draw. Where the platform has deep links with a start payload
   * (Telegram: t.me/<bot>?start=…), it encodes a link that opens this bot and sends
   * `/start <start>` (`start` written by bot/core/deep-link.ts), so a phone camera is enough;
   * elsewhere it encodes `text`.
   */
  qr?: { text: string; start?: string; caption?: string };
  /**
   * This answers a secret ballot the member typed or pressed: where the channel shows the
   * member's own message (the web chat), it replaces it with "Đã bỏ phiếu kín".
   */
  conceal?: true;
}

export const MAX_CHOICE_DATA_BYTES = MAX_ACTION_BYTES;

/** A button as any renderer may get it: from a reply, or stored in the outbox as JSON. */
export type AnyChoice = { label: string; action?: { kind: string }; data?: string; secret?: true };

/** The wire data of a button, for any renderer. */
export function choiceData(c: AnyChoice): string {
  return c.action ? encodeAction(c.action as ChatAction) : (c.data ?? '');
}

/**
 * The main actions as typed words: the labels of Telegram's reply keyboard, sent back as text
 * when pressed. Kept here so the keyboard and the core read the same words.
 */
export const KEYBOARD_ROWS: string[][] = [
  ['📅 Lịch họp', '✅ Điểm danh'],
  ['🗳 Biểu quyết', '📢 Thông báo mới'],
  ['💬 Hỏi Trợ lý ảo', '✉️ Phản ánh'],
  ['❓ Trợ giúp', '⬇️ Ẩn menu'],
];
