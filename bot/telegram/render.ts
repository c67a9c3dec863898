/**
 * Renders a channel-neutral reply as Telegram messages: text split at 4096 characters on
 * paragraphs, choices as an inline keyboard on the last part, a link as a line of text
 * (Telegram refuses URL buttons to local addresses, and text opens on any phone).
 */
import { splitText } from '../core/split-text.ts';
import { MAX_CHOICE_DATA_BYTES, type Reply } from '../core/reply.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';

export const TELEGRAM_TEXT_LIMIT = 4096;

export interface TelegramMessagePart {
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
}

export function renderTelegram(reply: Reply | OutboundPayload): TelegramMessagePart[] {
  const text = reply.link ? `${reply.text}\n\n🔗 ${reply.link.label}: ${reply.link.url}` : reply.text;
  const parts: TelegramMessagePart[] = splitText(text, TELEGRAM_TEXT_LIMIT).map((t) => ({ text: t }));
  if (reply.choices?.length) {
    for (const c of reply.choices) {
      if (Buffer.byteLength(c.data) > MAX_CHOICE_DATA_BYTES)
        throw new RangeError(`choice data over ${MAX_CHOICE_DATA_BYTES} bytes: ${c.data.slice(0, 20)}…`);
    }
    const buttons = reply.choices.map((c) => ({ text: c.label, callback_data: c.data }));
    const perRow = buttons.every((b) => b.text.length <= 14) ? 2 : 1;
    const rows: (typeof buttons)[] = [];
    for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
    parts[parts.length - 1].reply_markup = { inline_keyboard: rows };
  }
  return parts;
}
