/**
 * The durable inbox's SQL. Each platform update is one row, unique on the platform's id; a
 * worker claims rows under a lease in its own name, extends the lease while it works, and
 * completes a row only while it still holds it (fenced by `claimed_by`). Completion drops
 * the raw payload and the chat it came from — afterwards the row holds ids only, what
 * de-duplication needs — and queues the replies in the outbox in the same statement.
 */
import { batchTable, batchedWrite, inBatchOrder } from '../db/batched-write.ts';
import type { Sql } from '../db/connect.ts';
import type { OutboundPayload } from '../outbox/enqueue.ts';

/** Wakes send workers in other processes (PostgreSQL LISTEN); see api/outbox/wake.ts. */
export const OUTBOX_WAKE_CHANNEL = 'sotay_outbox';

export interface StoredUpdate {
  id: number;
  channel: string;
  bot_key: string;
  payload: unknown;
  received_at: Date;
  attempts: number;
}

/** Stores an update; returns its row id, or null when it was already stored (a duplicate). */
export async function insertUpdate(
  sql: Sql,
  u: { channel: string; botKey: string; updateId: string; chatKey: string | null; payload: unknown },
  claim?: { owner: string; leaseSeconds: number },
): Promise<number | null> {
  const rows = await sql.query<{ id: number }>(
    `insert into inbound_updates (channel, bot_key, update_id, chat_key, payload, claimed_by, claimed_at, lease_until,
      attempts)
     values ($1, $2, $3, $4, $5::jsonb, $6, case when $6::text is null then null else now() end,
             case when $6::text is null then null else now() + make_interval(secs => $7) end,
             case when $6::text is null then 0 else 1 end)
     on conflict (channel, bot_key, update_id) do nothing returning id`,
    [
      u.channel,
      u.botKey,
      u.updateId,
      u.chatKey,
      JSON.stringify(u.payload),
      claim?.owner ?? null,
      claim?.leaseSeconds ?? 0,
    ],
  );
  return rows[0]?.id ?? null;
}

export interface NewUpdate {
  channel: string;
  botKey: string;
  updateId: string;
  chatKey: string | null;
  payload: unknown;
}

const UPDATE_BATCH = batchTable({
  channel: 'text',
  bot_key: 'text',
  update_id: 'text',
  chat_key: 'text',
  payload: 'jsonb',
});

/**
 * Stores an update as `insertUpdate` does, in one statement with the other webhook calls that
 * arrive while the previous statement runs (group commit, api/db/batched-write.ts): during an
 * evening's burst each call then costs a row rather than a statement and a commit of its own.
 * The same update twice (a platform's retry) never shares a statement; rows are inserted in
 * arrival order, so one chat's updates keep their order. Returns the row id, or null for a
 * duplicate.
 */
export const insertUpdateBatched = batchedWrite<NewUpdate, number | null>({
  key: (u) => `${u.channel}:${u.botKey}:${u.updateId}`,
  maxSize: 128,
  async run(sql, items) {
    const rows = await sql.query<{ id: number; n: number }>(
      `with i as (${UPDATE_BATCH}),
       ins as (
         insert into inbound_updates (channel, bot_key, update_id, chat_key, payload)
         select channel, bot_key, update_id, chat_key, payload from i order by n
         on conflict (channel, bot_key, update_id) do nothing
         returning id, channel, bot_key, update_id)
       select ins.id, i.n from ins join i using (channel, bot_key, update_id)`,
      [
        items.map((u) => u.channel),
        items.map((u) => u.botKey),
        items.map((u) => u.updateId),
        items.map((u) => u.chatKey),
        items.map((u) => JSON.stringify(u.payload)),
      ],
    );
    return inBatchOrder(items.length, rows).map((r) => (r ? Number(r.id) : null));
  },
});

/**
 * Claims up to `limit` pending updates of the given bots (`channel:bot` keys) for `owner`.
 * An update is claimable only when no earlier update of the same chat is pending, so one
 * chat's updates are processed in arrival order even across instances. `from` is a floor no
 * pending update of these bots is below (`pendingFloor`); the default 0 looks at every one.
 * The statement is the function `claim_inbound_updates` (migration 140), which walks the
 * pending updates in id order and stops at `limit` — whatever the planner's statistics say.
 */
export async function claimUpdates(
  sql: Sql,
  owner: string,
  bots: string[],
  leaseSeconds: number,
  limit: number,
  from = 0,
): Promise<StoredUpdate[]> {
  const rows = await sql.query<StoredUpdate>(`select * from claim_inbound_updates($1, $2::text[], $3, $4, $5)`, [
    owner,
    bots,
    leaseSeconds,
    limit,
    from,
  ]);
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * What a claim's floor is worked out from: the lowest id of the bots' pending updates (null:
 * none visible) and the highest id stored, each by walking an index from one end (the function
 * `inbound_pending_floor`, migration 140). The first walk passes the dead entries of processed
 * updates; it marks them as it goes, so the next walk steps over them without reading the table.
 */
export async function pendingFloor(
  sql: Sql,
  bots: string[],
): Promise<{ lowestPending: number | null; highest: number | null }> {
  const [row] = await sql.query<{ lowest: number | null; highest: number | null }>(
    `select lowest, highest from inbound_pending_floor($1::text[])`,
    [bots],
  );
  return { lowestPending: row?.lowest ?? null, highest: row?.highest ?? null };
}

/** Keeps the updates `owner` is still working on from being taken by another worker. */
export async function extendUpdateLeases(sql: Sql, owner: string, ids: number[], leaseSeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await sql.query(
    `update inbound_updates set lease_until = now() + make_interval(secs => $3)
      where id = any($2::bigint[]) and claimed_by = $1 and processed_at is null`,
    [owner, ids, leaseSeconds],
  );
}

/**
 * Lets go of an update `owner` could not process (the database was away): claimable again at
 * once, still ahead of its chat's later updates. Without this, its lease lapses.
 */
export async function releaseUpdate(sql: Sql, owner: string, id: number): Promise<void> {
  await sql.query(
    `update inbound_updates set claimed_by = null, lease_until = null
      where id = $2 and claimed_by = $1 and processed_at is null`,
    [owner, id],
  );
}

export interface Completion {
  id: number;
  /** Replies to queue (push channels); each becomes one outbox row in the reply lane. */
  replies: { channel: string; botKey: string; chatId: string; payload: OutboundPayload }[];
}

/**
 * Marks updates processed — only those `owner` still holds — and queues their replies in
 * the outbox, in one statement. Returns the ids actually completed; an update whose lease
 * another worker took is not completed here and its replies are not queued.
 */
export async function completeUpdates(
  sql: Sql,
  owner: string,
  items: Completion[],
): Promise<{ completed: number[]; queued: number }> {
  if (items.length === 0) return { completed: [], queued: 0 };
  const r = items.flatMap((i) => i.replies.map((reply, n) => ({ id: i.id, n, ...reply })));
  const [row] = await sql.query<{ completed: number[] | null; queued: number }>(
    `with done as (
       update inbound_updates
          set processed_at = now(), payload = null, chat_key = null, claimed_by = null, lease_until = null
        where id = any($2::bigint[]) and claimed_by = $1 and processed_at is null
        returning id),
     ins as (
       insert into outbox_messages (channel, bot_key, chat_id, kind, payload, dedupe_key, lane, inbound_id)
       select r.channel, r.bot_key, r.chat_id, 'reply', r.payload, 'reply:' || r.inbound_id || ':' || r.n, 0,
         r.inbound_id
         from unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
              as r(inbound_id, n, channel, bot_key, chat_id, payload)
         join done on done.id = r.inbound_id
       on conflict (dedupe_key) do nothing
       returning id),
     wake as (select pg_notify('${OUTBOX_WAKE_CHANNEL}', '') as x where exists (select 1 from ins))
     select (select array_agg(id) from done) as completed, (select count(*) from ins)::int as queued,
            (select count(*) from wake)::int as woke`,
    [
      owner,
      items.map((i) => i.id),
      r.map((x) => x.id),
      r.map((x) => x.n),
      r.map((x) => x.channel),
      r.map((x) => x.botKey),
      r.map((x) => x.chatId),
      r.map((x) => JSON.stringify(x.payload)),
    ],
  );
  return { completed: (row?.completed ?? []).map(Number), queued: row?.queued ?? 0 };
}

/** Whether an update has been processed (tests and the web chat's wait). */
export async function isProcessed(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql.query<{ done: boolean }>(
    `select processed_at is not null as done from inbound_updates where id = $1`,
    [id],
  );
  return rows[0]?.done ?? false;
}
