/**
 * Small per-chat state kept in the database, so a dialogue (pending numbered choices, the
 * assistant's previous question) survives restarts and works on every instance.
 */
import type { Sql } from '../../api/db/connect.ts';
import type { Choice } from './reply.ts';

export interface ChatRef {
  channel: string;
  botKey: string;
  chatId: string;
}

export function chatSession(sql: Sql, chat: ChatRef) {
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const rows = await sql.query<{ value: T }>(
        `select value from chat_sessions where channel = $1 and bot_key = $2 and chat_id = $3 and key = $4`,
        [chat.channel, chat.botKey, chat.chatId, key],
      );
      return rows[0]?.value;
    },
    async set(key: string, value: unknown | null): Promise<void> {
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
        `insert into chat_sessions (channel, bot_key, chat_id, key, value, updated_at) values ($1, $2, $3, $4, $5::jsonb, now())
         on conflict (channel, bot_key, chat_id, key) do update set value = excluded.value, updated_at = now()`,
        [chat.channel, chat.botKey, chat.chatId, key, JSON.stringify(value)],
      );
    },
  };
}

const CHOICES_KEY = 'choices';

/**
 * Remembers the last choices shown in a chat, so a reply of "1", "2"… picks one (Zalo has
 * no buttons; members on any channel may type the number).
 */
export async function rememberChoices(sql: Sql, chat: ChatRef, choices: Choice[]): Promise<void> {
  await chatSession(sql, chat).set(
    CHOICES_KEY,
    choices.map((c) => c.data),
  );
}

/** The choice data for a typed number, if the chat has pending choices. */
export async function choiceForNumber(sql: Sql, chat: ChatRef, text: string): Promise<string | undefined> {
  const m = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  if (!m) return undefined;
  const pending = await chatSession(sql, chat).get<string[]>(CHOICES_KEY);
  return pending?.[Number(m[1]) - 1];
}
