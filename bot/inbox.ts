/**
 * The durable inbox worker. Webhooks and polling only store each platform update
 * (deduplicated on the platform's id) and return; this worker processes stored updates and
 * queues the replies in the outbox — replies are messages like any other, with the same
 * pacing, 429 and retry rules (api/outbox/worker.ts), in a lane of their own so a national
 * broadcast never delays them.
 *
 * Many instances may run on one PostgreSQL. Each claims a few updates at a time in its own
 * name (FOR UPDATE SKIP LOCKED) under a lease it extends while working; one chat's updates
 * go in arrival order; completion is fenced by the claim, so an update whose lease lapsed
 * and was taken over is completed (and answered) once. Only a worker that dies mid-update
 * leaves it to be processed again after its lease lapses. Once processed the row keeps ids
 * only: the raw payload is dropped in the completing statement.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../api/context.ts';
import { isConnectionError } from '../api/db/connect.ts';
import {
  claimUpdates,
  completeUpdates,
  extendUpdateLeases,
  insertUpdate,
  insertUpdateBatched,
  pendingFloor,
  releaseUpdate,
  type Completion,
  type StoredUpdate,
} from '../api/inbox/repository.ts';
import type { BotChannel } from './channel.ts';
import { APOLOGY, handleUpdate } from './core/conversation.ts';
import type { Reply } from './core/reply.ts';

export interface InboxOptions {
  /**
   * Updates worked on at once by this instance (different chats). On PostgreSQL 256: the reads
   * and writes of updates in flight share statements, so more in flight means fewer statements
   * per update, not more connections (bench:webhook, a backlog of 4 000: 4 700 updates/s with 64,
   * 10 400 with 256, against a baseline of 11 100 and 10 900 measured in the same runs).
   */
  concurrency?: number;
  leaseSeconds?: number;
  idlePollMs?: number;
  /** Called when replies were queued, to wake the outbox worker of this process at once. */
  onReplies?: () => void;
  /** Channels whose choices are answered with a digit (`ChannelModule.numberedChoices`). */
  numberedChannels?: ReadonlySet<string>;
}

/** A name for this worker in the database: host, pid and a random part. */
export const workerName = (role: string) =>
  `${role}:${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

export class InboxWorker {
  readonly owner = workerName('inbox');
  #channels = new Map<string, BotChannel>();
  #running = false;
  #wake?: () => void;
  #loop?: Promise<void>;
  #held = new Set<number>();
  #heartbeat?: NodeJS.Timeout;
  #pending: { item: Completion; done: () => void; fail: (e: unknown) => void }[] = [];
  #flushing?: Promise<void>;
  #completing = new Set<Promise<void>>();
  /** No pending update of this worker's bots has a lower id (see `claimFloor`). */
  #floor = 0;
  #sweeps: { at: number; highest: number }[] = [];
  readonly #concurrency: number;
  readonly #lease: number;
  readonly #idlePollMs: number;

  constructor(
    private readonly deps: Deps,
    channels: BotChannel[],
    private readonly options: InboxOptions = {},
  ) {
    for (const c of channels) this.#channels.set(`${c.channel}:${c.botKey}`, c);
    this.#concurrency = options.concurrency ?? (deps.db.kind === 'postgres' ? 256 : 8);
    this.#lease = options.leaseSeconds ?? 30;
    this.#idlePollMs = options.idlePollMs ?? 1000;
  }

  /** Stores an update from a webhook or a poll; false when it was a duplicate. */
  async accept(channel: BotChannel, payload: unknown, ids: { updateId: string; chatId: string | null }) {
    const id = await insertUpdateBatched(this.deps.db, {
      channel: channel.channel,
      botKey: channel.botKey,
      updateId: ids.updateId,
      chatKey: ids.chatId,
      payload,
    });
    if (id !== null) this.kick();
    return id !== null;
  }

  /**
   * For channels that answer in the request (the web chat): stores the update already
   * claimed by this worker, processes it here and returns the replies; a re-sent update
   * (same id) returns no replies. The stored payload is dropped on completion as usual.
   */
  async processInline(channel: BotChannel, payload: unknown, updateId: string): Promise<Reply[]> {
    const id = await insertUpdate(
      this.deps.db,
      { channel: channel.channel, botKey: channel.botKey, updateId, chatKey: null, payload },
      { owner: this.owner, leaseSeconds: this.#lease },
    );
    if (id === null) return [];
    const update = this.parse(channel, payload, this.deps.clock.now());
    // The member is waiting on the page: a database away is said at once, to try again.
    const replies = update
      ? await handleUpdate(this.deps, update, channel.scope).catch((e) => {
          if (isConnectionError(e)) return [{ text: APOLOGY }];
          throw e;
        })
      : [];
    await completeUpdates(this.deps.db, this.owner, [{ id, replies: [] }]);
    return replies;
  }

  start() {
    this.#running = true;
    this.#heartbeat = setInterval(
      () =>
        void extendUpdateLeases(this.deps.db.relaxed, this.owner, [...this.#held], this.#lease).catch((e) =>
          this.deps.log.warn({ err: describe(e) }, 'inbox lease extension failed'),
        ),
      (this.#lease * 1000) / 3,
    );
    this.#heartbeat.unref();
    this.#loop = this.run();
  }

  /** Wakes the worker now instead of at its next poll (called after each accepted update). */
  kick() {
    this.#wake?.();
  }

  async stop() {
    this.#running = false;
    clearInterval(this.#heartbeat);
    this.kick();
    await this.#loop;
  }

  private async run() {
    const inFlight = new Set<Promise<void>>();
    while (this.#running) {
      try {
        // A claim scans the pending updates, so under a backlog it waits for a share of the slots
        // to be free rather than going for every one that frees (or every webhook call's kick);
        // with nothing in flight it goes at once, so a lone update waits for nothing.
        const free = this.#concurrency - inFlight.size;
        const worth = inFlight.size === 0 ? 1 : Math.max(1, Math.floor(this.#concurrency / 8));
        const rows = free >= worth ? await this.claim(free) : [];
        for (const row of rows) {
          const p: Promise<void> = this.process(row).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        // Fewer than asked: no more is claimable now. What makes more (an arrival's kick, a
        // completion, a slot freed) wakes the loop.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#idlePollMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
          for (const p of inFlight) void p.then(this.#wake);
        });
      } catch (e) {
        this.deps.log.error({ err: describe(e) }, 'inbox worker failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await Promise.all(inFlight);
    await Promise.all(this.#completing);
  }

  private async claim(limit: number): Promise<StoredUpdate[]> {
    if (this.#channels.size === 0) return [];
    const bots = [...this.#channels.keys()];
    const from = await this.claimFloor(bots);
    const rows = await claimUpdates(this.deps.db.relaxed, this.owner, bots, this.#lease, limit, from);
    for (const r of rows) this.#held.add(r.id);
    return rows;
  }

  /**
   * Where a claim starts: an id no pending update of `bots` is below. Processed updates leave
   * dead index entries until VACUUM, so a claim from the start of the inbox got slower through
   * an evening (issue 31); from the floor it passes only what was processed since the floor moved.
   *
   * Once a second the floor is worked out afresh from the whole inbox. The lowest pending id
   * alone is not a floor: an insert that took a lower id may not have committed yet. Every id at
   * or below the highest one stored SETTLE_MS ago was taken before then, and its insert — one
   * short statement — has committed since; so the floor is the lower of the lowest pending id and
   * the id after that highest one. An insert slower than that delays its update by one sweep.
   */
  private async claimFloor(bots: string[]): Promise<number> {
    const now = Date.now();
    const last = this.#sweeps.at(-1);
    if (last && now - last.at < SWEEP_MS) return this.#floor;
    const { lowestPending, highest } = await pendingFloor(this.deps.db.relaxed, bots);
    const settled = this.#sweeps.findLast((s) => now - s.at >= SETTLE_MS);
    // Until a sweep has settled, claims look at the whole inbox.
    this.#floor = settled ? Math.min(lowestPending ?? Number.POSITIVE_INFINITY, settled.highest + 1) : 0;
    if (settled) this.#sweeps = this.#sweeps.filter((s) => s.at >= settled.at);
    this.#sweeps.push({ at: now, highest: highest ?? 0 });
    return this.#floor;
  }

  private async process(row: StoredUpdate) {
    const channel = this.#channels.get(`${row.channel}:${row.bot_key}`)!;
    const item: Completion = { id: row.id, replies: [] };
    const claimedAt = Date.now();
    for (let tries = 0; ; tries++) {
      try {
        const update = row.payload == null ? null : this.parse(channel, row.payload, row.received_at);
        if (update) {
          const replies = await handleUpdate(this.deps, update, channel.scope);
          item.replies = replies.map((payload) => ({
            channel: row.channel,
            botKey: row.bot_key,
            chatId: update.chat.id,
            payload,
          }));
        }
        break;
      } catch (e) {
        // The database is away (a failover): the update is not done — completing it would drop a
        // stored tap the member was told is recorded. Tried again here while the lease is young
        // (the row stays claimed, so its chat's later updates wait), then let go to be claimed again.
        if (isConnectionError(e)) {
          if (Date.now() - claimedAt + RETRY_MAX_MS < (this.#lease * 1000) / 2) {
            await new Promise((r) => setTimeout(r, Math.min(RETRY_MAX_MS, 250 * 2 ** tries)));
            continue;
          }
          this.deps.log.warn({ err: describe(e), inboxId: row.id }, 'database away; update left for a retry');
          await releaseUpdate(this.deps.db.relaxed, this.owner, row.id).catch(() => {});
          this.#held.delete(row.id);
          return;
        }
        // One bad update never stops the bot; its text is not logged.
        this.deps.log.error(
          { err: describe(e), channel: row.channel, bot: row.bot_key, inboxId: row.id },
          'update processing failed',
        );
        break;
      }
    }
    // The update's slot is free again as soon as it is handled: its completion joins the next
    // batch and commits while the worker goes on with other updates (the row stays claimed,
    // and its chat's next update waits, until then). Only a long queue of completions waits.
    const completing: Promise<void> = this.complete(item)
      .catch((e) => {
        // Left claimed: the lease lapses and the update is processed again.
        this.deps.log.error({ err: describe(e), inboxId: row.id }, 'inbox completion failed');
      })
      .finally(() => {
        this.#held.delete(row.id);
        this.#completing.delete(completing);
      });
    this.#completing.add(completing);
    if (this.#completing.size > this.#concurrency * 4) await completing;
  }

  /** The platform update as the core takes it, with how its chat answers choices. */
  private parse(channel: BotChannel, payload: unknown, receivedAt: Date) {
    const update = channel.parse(payload, receivedAt);
    return update && this.options.numberedChannels?.has(channel.channel)
      ? { ...update, numberedChoices: true }
      : update;
  }

  /** Completions are written in batches: one statement for all that finished meanwhile. */
  private complete(item: Completion): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.#pending.push({ item, done, fail });
      if (!this.#flushing) this.#flushing = this.flush();
    });
  }

  private async flush() {
    while (this.#pending.length) {
      const batch = this.#pending.splice(0, 200);
      try {
        const { completed, queued } = await completeUpdates(
          this.deps.db,
          this.owner,
          batch.map((b) => b.item),
        );
        if (completed.length < batch.length)
          this.deps.log.warn({ lost: batch.length - completed.length }, 'inbox lease taken over; not completed here');
        if (queued > 0) this.options.onReplies?.();
        for (const b of batch) b.done();
        // A chat's next update becomes claimable only now: wake the claim loop rather than
        // leave it to its idle poll (up to a second at the end of a burst).
        if (completed.length > 0) this.kick();
      } catch (e) {
        for (const b of batch) b.fail(e);
      }
    }
    this.#flushing = undefined;
  }
}

/** How often a claim's floor is worked out again (`claimFloor`). */
const SWEEP_MS = 1_000;
/** How long after an id was seen stored every lower id's insert has surely committed. */
const SETTLE_MS = 5_000;

/** Longest pause between tries of an update while the database is away. */
const RETRY_MAX_MS = 2_000;

const describe = (e: unknown) => ({ name: (e as Error)?.name, code: (e as { code?: unknown })?.code });
