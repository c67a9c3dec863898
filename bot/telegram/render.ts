/**
 * Renders a channel-neutral reply as Telegram messages: text split at 4096 characters on
 * paragraphs; the choices, then the main menu, as one inline keyboard on the last part; the
 * reply keyboard (main actions under the text field, hideable) when the reply asks for it; a
 * link as a line of text (Telegram refuses URL buttons to local addresses, and text opens on
 * any phone); a deep link as a URL button to t.me/<bot>?start=… (the bot's @username comes
 * from getMe; without it, the line saying what to type).
 */
import { splitText } from '../core/split-text.ts';
import { choiceData, KEYBOARD_ROWS, MAX_CHOICE_DATA_BYTES, type AnyChoice, type Reply } from '../core/reply.ts';
import { deepLinkLine, encodeStart, type DeepLinkAction } from '../core/deep-link.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';

export const TELEGRAM_TEXT_LIMIT = 4096;

type InlineButton = { text: string; callback_data: string } | { text: string; url: string };
export type TelegramMarkup =
  | { inline_keyboard: InlineButton[][] }
  | {
      keyboard: { text: string }[][];
      resize_keyboard: true;
      is_persistent: boolean;
      input_field_placeholder: string;
    }
  | { remove_keyboard: true };

export interface TelegramMessagePart {
  text: string;
  reply_markup?: TelegramMarkup;
  /** Bold spans (UTF-16 offsets, as the Bot API counts): no parse mode, so no text needs escaping. */
  entities?: { type: 'bold'; offset: number; length: number }[];
}

/** The link that opens the bot @username and sends "/start <payload>" for the action. */
export const startUrl = (username: string, action: DeepLinkAction) =>
  `https://t.me/${username}?start=${encodeStart(action)}`;

export function renderTelegram(
  reply: Reply | OutboundPayload,
  { username }: { username?: string } = {},
): TelegramMessagePart[] {
  let text = reply.link ? `${reply.text}\n\n🔗 ${reply.link.label}: ${reply.link.url}` : reply.text;
  const deepLink = reply.deepLink;
  const urlButton = deepLink && username ? [[{ text: deepLink.label, url: startUrl(username, deepLink.action) }]] : [];
  const line = deepLink && !username ? deepLinkLine(text, deepLink) : undefined;
  if (line) text += `\n\n${line}`;
  const parts: TelegramMessagePart[] = splitText(text, TELEGRAM_TEXT_LIMIT).map((t) => ({
    text: t,
    entities: boldSpans(t, reply.bold),
  }));
  const menu = 'menu' in reply ? (reply.menu ?? []) : [];
  const rows = [...buttonRows(reply.choices ?? []), ...urlButton, ...buttonRows(menu, 2)];
  if (rows.length) parts[parts.length - 1].reply_markup = { inline_keyboard: rows };
  const keyboard = 'keyboard' in reply ? keyboardMarkup(reply.keyboard) : undefined;
  // One markup per message: the reply keyboard goes on a part without inline buttons, or on
  // a short message of its own.
  const free = parts.find((p) => !p.reply_markup);
  if (keyboard && free) free.reply_markup = keyboard;
  else if (keyboard)
    parts.push({
      text: 'remove_keyboard' in keyboard ? 'Đã ẩn menu.' : '⌨️ Menu các việc chính nằm dưới ô soạn tin.',
      reply_markup: keyboard,
    });
  return parts;
}

/** Where each phrase stands in the part, in order (a phrase split across parts stays plain). */
function boldSpans(text: string, phrases: readonly string[] | undefined): TelegramMessagePart['entities'] {
  const spans: NonNullable<TelegramMessagePart['entities']> = [];
  let from = 0;
  for (const phrase of phrases ?? []) {
    const at = phrase ? text.indexOf(phrase, from) : -1;
    if (at < 0) continue;
    spans.push({ type: 'bold', offset: at, length: phrase.length });
    from = at + phrase.length;
  }
  return spans.length ? spans : undefined;
}

function buttonRows(choices: readonly AnyChoice[], perRowMax = 2): InlineButton[][] {
  const buttons = choices.map((c) => {
    const data = choiceData(c);
    if (Buffer.byteLength(data) > MAX_CHOICE_DATA_BYTES)
      throw new RangeError(`choice data over ${MAX_CHOICE_DATA_BYTES} bytes: ${data.slice(0, 20)}…`);
    return { text: c.label, callback_data: data };
  });
  const perRow = perRowMax > 1 && buttons.every((b) => b.text.length <= 16) ? perRowMax : 1;
  const rows: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

function keyboardMarkup(keyboard: Reply['keyboard']): TelegramMarkup | undefined {
  if (keyboard === 'hide') return { remove_keyboard: true };
  if (keyboard === 'show')
    return {
      keyboard: KEYBOARD_ROWS.map((row) => row.map((label) => ({ text: label }))),
      resize_keyboard: true,
      is_persistent: false,
      input_field_placeholder: 'Chọn việc hoặc gõ câu hỏi',
    };
  return undefined;
}
