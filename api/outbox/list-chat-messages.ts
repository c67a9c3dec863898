/**
 * Messages queued for one chat after a cursor — how a channel without push (the web chat)
 * reads what was sent to it. Replies are not listed: they were returned with the message
 * that caused them.
 */
import type { Sql } from '../db/connect.ts';
import type { OutboundPayload } from './enqueue.ts';

export async function listChatMessages(
  sql: Sql,
  chat: { channel: string; botKey: string; chatId: string },
  after: number,
): Promise<{ id: number; payload: OutboundPayload }[]> {
  return sql.query(
    `select id, payload from outbox_messages
      where channel = $1 and bot_key = $2 and chat_id = $3 and id > $4 and lane = 1 order by id limit 100`,
    [chat.channel, chat.botKey, chat.chatId, after],
  );
}
