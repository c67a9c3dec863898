/**
 * Zalo's Bot API has no buttons: the choices, then the main menu, become one short numbered
 * list answered with a digit ("1", "2", …); text is split at Zalo's 2000-character limit on
 * paragraphs. When the next message should be a number (a count), no numbered options are
 * offered — a digit then answers the question — and the member types "hủy" to stop. Zalo has
 * no deep links: a deep link becomes a line saying what to type in a private chat.
 */
import { splitText } from '../core/split-text.ts';
import type { Reply } from '../core/reply.ts';
import { deepLinkLine } from '../core/deep-link.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { ZALO_TEXT_LIMIT } from './client.ts';

export function renderZalo(reply: Reply | OutboundPayload): string[] {
  let text = reply.text;
  const line = deepLinkLine(text, reply.deepLink);
  if (line) text += `\n\n${line}`;
  const options = numberedOptions(reply);
  if (options.length) text += `\n\nTrả lời bằng số:\n${options.map((label, i) => `${i + 1}. ${label}`).join('\n')}`;
  else if ('expects' in reply && reply.expects === 'number' && reply.choices?.length) text += '\n\n(Gõ "hủy" để dừng.)';
  if (reply.link) text += `\n\n🔗 ${reply.link.label}: ${reply.link.url}`;
  return splitText(text, ZALO_TEXT_LIMIT);
}

/** The labels offered as numbers, in the order the core remembers them (choices, then menu). */
export function numberedOptions(reply: Reply | OutboundPayload): string[] {
  if ('expects' in reply && reply.expects === 'number') return [];
  const menu = 'menu' in reply ? (reply.menu ?? []) : [];
  return [...(reply.choices ?? []), ...menu].map((c) => c.label);
}
