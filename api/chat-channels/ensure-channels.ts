/**
 * Writes the channel registry's names (bot/channels.ts) into chat_channels, which every
 * table naming a channel references: the database accepts exactly the registered channels.
 */
import type { Sql } from '../db/connect.ts';

export async function ensureChannels(sql: Sql, names: string[]): Promise<void> {
  await sql.query(`insert into chat_channels (name) select unnest($1::text[]) on conflict do nothing`, [names]);
}
