/**
 * The channel-neutral reply the core returns. Adapters render it: Telegram inline buttons,
 * Zalo numbered options ("1", "2", …), HTML on the web chat; each splits text to its limit.
 */
export interface Choice {
  label: string;
  /** Returned in ChatUpdate.choice when picked; at most 64 bytes (Telegram's callback limit). */
  data: string;
}

export interface Reply {
  text: string;
  choices?: Choice[];
  link?: { label: string; url: string };
  /**
   * A QR code for the channel to draw. Where the platform has deep links with a start payload
   * (Telegram: t.me/<bot>?start=…), it encodes a link that opens this bot and sends
   * `/start <start>`, so a phone camera is enough; elsewhere it encodes `text`.
   */
  qr?: { text: string; start?: string; caption?: string };
}

export const MAX_CHOICE_DATA_BYTES = 64;
