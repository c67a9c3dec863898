/**
 * Small per-chat state (pending numbered choices, a dialogue's step, the assistant's previous
 * question), kept in the database so a dialogue survives restarts and works on every instance.
 */
import type { Sql } from '../db/connect.ts';

export interface ChatRef {
  channel: string;
  botKey: string;
  chatId: string;
}

export async function getChatSessionValue<T>(sql: Sql, chat: ChatRef, key: string): Promise<T | undefined> {
  const rows = await sql.query<{ value: T }>(
    `select value from chat_sessions where channel = $1 and bot_key = $2 and chat_id = $3 and key = $4`,
    [chat.channel, chat.botKey, chat.chatId, key],
  );
  return rows[0]?.value;
}

/** Stores the value under `key`; null or undefined removes it. */
export async function setChatSessionValue(sql: Sql, chat: ChatRef, key: string, value: unknown): Promise<void> {
  if (value === null || value === undefined) {
    await sql.query(`delete from chat_sessions where channel = $1 and bot_key = $2 and chat_id = $3 and key = $4`, [
      chat.channel,
      chat.botKey,
      chat.chatId,
      key,
    ]);
    return;
  }
  await sql.query(
    `insert into chat_sessions (channel, bot_key, chat_id, key, value, updated_at)
      values ($1, $2, $3, $4, $5::jsonb, now())
     on conflict (channel, bot_key, chat_id, key) do update set value = excluded.value, updated_at = now()`,
    [chat.channel, chat.botKey, chat.chatId, key, JSON.stringify(value)],
  );
}
