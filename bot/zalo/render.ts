/**
 * Zalo has no buttons: choices become numbered options answered by "1", "2", …; text is
 * split at Zalo's 2000-character limit on paragraphs.
 */
import { splitText } from '../core/split-text.ts';
import type { Reply } from '../core/reply.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';
import { ZALO_TEXT_LIMIT } from './client.ts';

export function renderZalo(reply: Reply | OutboundPayload): string[] {
  let text = reply.text;
  if (reply.choices?.length) {
    text += `\n\nTrả lời bằng số:\n${reply.choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
  }
  if (reply.link) text += `\n\n🔗 ${reply.link.label}: ${reply.link.url}`;
  return splitText(text, ZALO_TEXT_LIMIT);
}
