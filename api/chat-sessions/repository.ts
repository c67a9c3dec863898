/**
 * Small per-chat state (pending numbered choices, a dialogue's step, the assistant's previous
 * question), kept in the database so a dialogue survives restarts and works on every instance.
 */
import { batchTable, batchedWrite, inBatchOrder } from '../db/batched-write.ts';
import type { Sql } from '../db/connect.ts';

export interface ChatRef {
  channel: string;
  botKey: string;
  chatId: string;
}

export async function getChatSessionValue<T>(sql: Sql, chat: ChatRef, key: string): Promise<T | undefined> {
  return (await readBatched(sql, { ...chat, key })) as T | undefined;
}

const KEYS = batchTable({ channel: 'text', bot_key: 'text', chat_id: 'text', key: 'text' });

/**
 * Every chat update reads its dialogue's step: the reads that arrive while one runs share the
 * next statement (api/db/batched-write.ts), each as fresh as a read of its own.
 */
const readBatched = batchedWrite<ChatRef & { key: string }, unknown>({
  maxSize: 256,
  inFlight: 2,
  async run(sql, items) {
    const rows = await sql.query<{ n: number; value: unknown }>(
      `with i as (${KEYS})
       select i.n, s.value from i join chat_sessions s
         on s.channel = i.channel and s.bot_key = i.bot_key and s.chat_id = i.chat_id and s.key = i.key`,
      [items.map((v) => v.channel), items.map((v) => v.botKey), items.map((v) => v.chatId), items.map((v) => v.key)],
    );
    return inBatchOrder(items.length, rows).map((r) => r?.value);
  },
});

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
  await upsertBatched(sql, { ...chat, key, value: JSON.stringify(value) });
}

const VALUES = batchTable({ channel: 'text', bot_key: 'text', chat_id: 'text', key: 'text', value: 'jsonb' });

/**
 * Every finished chat action stores the choices it offered (a digit picks one), so on a meeting
 * evening each tap wrote its own row in a statement of its own: the writes that arrive while one
 * runs share the next (api/db/batched-write.ts); one key of one chat at most once a statement.
 */
const upsertBatched = batchedWrite<ChatRef & { key: string; value: string }, void>({
  key: (v) => `${v.channel}:${v.botKey}:${v.chatId}:${v.key}`,
  maxSize: 128,
  async run(sql, items) {
    await sql.query(
      `with i as (${VALUES})
       insert into chat_sessions (channel, bot_key, chat_id, key, value, updated_at)
       select channel, bot_key, chat_id, key, value, now() from i order by n
       on conflict (channel, bot_key, chat_id, key) do update set value = excluded.value, updated_at = now()`,
      [
        items.map((v) => v.channel),
        items.map((v) => v.botKey),
        items.map((v) => v.chatId),
        items.map((v) => v.key),
        items.map((v) => v.value),
      ],
    );
    return items.map(() => undefined);
  },
});
