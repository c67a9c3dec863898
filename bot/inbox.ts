/**
 * The durable inbox. Webhooks and polling only store each platform update (deduplicated on
 * the platform's id, so a re-sent update is ignored) and return; a worker then processes
 * stored updates in arrival order. An update accepted before a crash is processed after the
 * restart: a worker's claim is a lease that lapses if the worker dies.
 */
import type { Deps } from '../api/context.ts';
import type { BotChannel } from './channel.ts';
import { handleUpdate } from './core/conversation.ts';

const BATCH = 50;
const LEASE_SECONDS = 60;
const IDLE_POLL_MS = 1000;

/** Stores an update; false when this update was already stored (a duplicate). */
export async function acceptUpdate(
  deps: Pick<Deps, 'db'>,
  channel: string,
  botKey: string,
  updateId: string,
  payload: unknown,
): Promise<boolean> {
  const rows = await deps.db.query(
    `insert into inbound_updates (channel, bot_key, update_id, payload) values ($1, $2, $3, $4::jsonb)
     on conflict (channel, bot_key, update_id) do nothing returning id`,
    [channel, botKey, updateId, JSON.stringify(payload)],
  );
  return rows.length > 0;
}

export class InboxWorker {
  #channels = new Map<string, BotChannel>();
  #running = false;
  #wake?: () => void;
  #loop?: Promise<void>;

  constructor(
    private readonly deps: Deps,
    channels: BotChannel[],
  ) {
    for (const c of channels) this.#channels.set(`${c.channel}:${c.botKey}`, c);
  }

  start() {
    this.#running = true;
    this.#loop = this.run();
  }

  /** Wakes the worker now instead of at its next poll (called after each accepted update). */
  kick() {
    this.#wake?.();
  }

  async stop() {
    this.#running = false;
    this.kick();
    await this.#loop;
  }

  /** Processes what is pending; returns how many updates it handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.claim();
      if (rows.length === 0) return total;
      for (const row of rows) await this.process(row);
      total += rows.length;
    }
  }

  private async run() {
    while (this.#running) {
      try {
        if ((await this.drain()) > 0) continue;
      } catch (e) {
        this.deps.log.error({ err: e }, 'inbox worker failed; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_POLL_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async claim() {
    const keys = [...this.#channels.keys()];
    const rows = await this.deps.db.query<{
      id: number;
      channel: string;
      bot_key: string;
      payload: unknown;
      received_at: Date;
    }>(
      `update inbound_updates set claimed_at = now()
        where id in (
          select id from inbound_updates
           where processed_at is null and (channel || ':' || bot_key) = any($1::text[])
             and (claimed_at is null or claimed_at < now() - make_interval(secs => $2))
           order by id limit $3
           for update skip locked)
        returning id, channel, bot_key, payload, received_at`,
      [keys, LEASE_SECONDS, BATCH],
    );
    return rows.sort((a, b) => a.id - b.id);
  }

  private async process(row: { id: number; channel: string; bot_key: string; payload: unknown; received_at: Date }) {
    const channel = this.#channels.get(`${row.channel}:${row.bot_key}`)!;
    try {
      const update = channel.parse(row.payload, row.received_at);
      if (update) {
        const replies = await handleUpdate(this.deps, update, channel.scope);
        if (replies.length) await channel.deliver(update, replies);
      }
    } catch (e) {
      // One bad update never stops the bot; its text is not logged.
      this.deps.log.error(
        { err: describe(e), channel: row.channel, bot: row.bot_key, inboxId: row.id },
        'update delivery failed',
      );
    }
    await this.deps.db.query(`update inbound_updates set processed_at = now() where id = $1`, [row.id]);
  }
}

const describe = (e: unknown) => ({ name: (e as Error)?.name, code: (e as { code?: unknown })?.code });
