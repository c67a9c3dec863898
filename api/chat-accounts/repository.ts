import { maybeOne, type Sql } from '../db/connect.ts';

/** A channel's name from the registry (bot/channels.ts); the database checks it against chat_channels. */
export type Channel = string;

export interface ChatAccount {
  id: number;
  channel: Channel;
  botKey: string;
  externalUserId: string;
  chatId: string;
  memberId: number;
  displayName: string | null;
}

const COLUMNS = `id, channel, bot_key as "botKey", external_user_id as "externalUserId", chat_id as "chatId",
  member_id as "memberId", display_name as "displayName"`;

export async function findActiveAccount(sql: Sql, channel: Channel, botKey: string, externalUserId: string) {
  return maybeOne<ChatAccount>(
    sql,
    `select ${COLUMNS} from chat_accounts where channel = $1 and bot_key = $2 and external_user_id = $3
      and unlinked_at is null`,
    [channel, botKey, externalUserId],
  );
}

export async function listMemberAccounts(sql: Sql, memberId: number): Promise<ChatAccount[]> {
  return sql.query<ChatAccount>(
    `select ${COLUMNS} from chat_accounts where member_id = $1 and unlinked_at is null order by id`,
    [memberId],
  );
}

export async function unlinkAccount(sql: Sql, id: number, at: Date): Promise<void> {
  await sql.query(`update chat_accounts set unlinked_at = $2 where id = $1 and unlinked_at is null`, [id, at]);
}

/** Links a chat account; `apiTokenId`: a web chat signed in with that token ends when it is revoked. */
export async function insertAccount(
  sql: Sql,
  a: Omit<ChatAccount, 'id'> & { apiTokenId?: number | null },
  at: Date,
): Promise<ChatAccount> {
  const rows = await sql.query<ChatAccount>(
    `insert into chat_accounts (channel, bot_key, external_user_id, chat_id, member_id, display_name, linked_at,
       api_token_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
    [a.channel, a.botKey, a.externalUserId, a.chatId, a.memberId, a.displayName, at, a.apiTokenId ?? null],
  );
  return rows[0];
}

/** Ends the web-chat sessions signed in with any of these API tokens; returns how many. */
export async function unlinkTokenAccounts(sql: Sql, tokenIds: number[], at: Date): Promise<number> {
  if (tokenIds.length === 0) return 0;
  const rows = await sql.query(
    `update chat_accounts set unlinked_at = $2
      where api_token_id = any($1::int[]) and unlinked_at is null returning id`,
    [tokenIds, at],
  );
  return rows.length;
}
