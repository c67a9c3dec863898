/**
 * Sends the outbox — broadcasts and replies alike. Any number of these workers, in any
 * number of processes, may run on one PostgreSQL:
 *
 * - Rows are claimed in the worker's name under a lease (FOR UPDATE SKIP LOCKED); the lease
 *   is extended while a row waits for its slot or a 429 pause, and every completion is
 *   fenced by the claim, so a row another worker took over is not completed twice.
 * - The limits hold across all workers together: a bot's send slots come from one row
 *   (`outbox_bot_slots`) moved atomically one interval per send; a 429 moves it past
 *   retry_after for everyone; each chat's next moment (1/s private, 20/min group) is a row
 *   in `outbox_chat_gates`. Slots are kept a little under the nominal rate (HEADROOM).
 * - Two lanes per worker: replies to members (lane 0) are claimed first and have their own
 *   concurrency, so a reply waits at most for the few broadcast slots already taken, never
 *   behind the queue of a national broadcast.
 * - 429 → retry after retry_after (not counted as an attempt); 5xx and network errors back
 *   off exponentially with jitter (capped); 403/400 mark the row failed with the reason.
 *
 * Recovery policy, explicit: a row whose worker died between the platform's "ok" and our
 * "sent" is sent again when its lease lapses — at-least-once, so a crash can duplicate at
 * most the messages that worker had in flight; in the normal path each row is sent once.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../context.ts';
import { SendError, type ChannelLimits, type ChannelSender } from './sender.ts';
import { sleep } from './pacer.ts';
import {
  claimMessages,
  extendMessageLeases,
  LANE,
  markFailed,
  markSent,
  pauseBot,
  pruneChatGates,
  rememberSentChoices,
  reschedule,
  takeChatTurns,
  takeSendSlots,
  type OutboxRow,
  type PacedBot,
} from './repository.ts';
import { listenForWake } from './wake.ts';

export type { ChannelLimits } from './sender.ts';

/** Slots are spaced for this share of the nominal rate, to absorb network jitter. */
export const HEADROOM = 0.97;
const LATE_MS = 50;
/** Attempts to record a finished batch as sent before letting its leases lapse. */
const COMPLETION_TRIES = 5;

export interface OutboxWorkerOptions {
  /** Overrides of the channels' own limits, per channel name. */
  limits?: Record<string, Partial<ChannelLimits>>;
  /** Broadcast sends in flight in this worker. */
  concurrency?: number;
  /** Reply sends in flight in this worker. */
  replyConcurrency?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  idlePollMs?: number;
  /** A postgres:// URL: listen there for wake-ups from other processes (LISTEN/NOTIFY). */
  listenUrl?: string | null;
}

export function startOutboxWorker(
  deps: Pick<Deps, 'db' | 'log'>,
  senders: ChannelSender[],
  options: OutboxWorkerOptions = {},
) {
  const owner = `outbox:${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const bySender = new Map(senders.map((s) => [s.channel, s]));
  const bots = senders.flatMap((s) => s.botKeys.map((key) => `${s.channel}:${key}`));
  const leaseSeconds = options.leaseSeconds ?? 60;
  const maxAttempts = options.maxAttempts ?? 10;
  const lanes = [
    { lane: LANE.reply, concurrency: options.replyConcurrency ?? 16, inFlight: new Set<Promise<void>>() },
    { lane: LANE.bulk, concurrency: options.concurrency ?? 8, inFlight: new Set<Promise<void>>() },
  ];
  const limitsOf = (channel: string): ChannelLimits => ({
    ...bySender.get(channel)!.limits,
    ...options.limits?.[channel],
  });
  const held = new Set<number>();
  let running = true;
  let wake: (() => void) | undefined;
  let woken = false;
  const kick = () => {
    woken = true;
    wake?.();
  };

  const heartbeat = setInterval(
    () =>
      void extendMessageLeases(deps.db.relaxed, owner, [...held], leaseSeconds).catch((e) =>
        deps.log.warn({ err: (e as Error).name }, 'outbox lease extension failed'),
      ),
    (leaseSeconds * 1000) / 3,
  );
  const pruning = setInterval(() => void pruneChatGates(deps.db).catch(() => {}), 60_000);
  heartbeat.unref();
  pruning.unref();
  const listening = options.listenUrl ? listenForWake(options.listenUrl, kick, deps.log) : undefined;

  // Completions are written in batches: one statement for all sends that finished meanwhile.
  // A batch whose statement fails is tried again, still held (its leases extended), so a
  // database blip does not send it twice; after COMPLETION_TRIES it is let go: its leases
  // lapse and the messages are sent again (at-least-once, as after a crash).
  const sentQueue: { id: number; providerMessageId: string }[] = [];
  let flushing: Promise<void> | undefined;
  const flushSent = async () => {
    for (let failures = 0; sentQueue.length > 0; ) {
      const batch = sentQueue.splice(0, 500);
      try {
        const kept = new Set(await markSent(deps.db, owner, batch));
        failures = 0;
        for (const b of batch) {
          held.delete(b.id);
          if (!kept.has(b.id)) deps.log.warn({ outboxId: b.id }, 'outbox lease was taken over before completion');
        }
      } catch (e) {
        failures++;
        const giveUp = failures >= COMPLETION_TRIES;
        deps.log.error({ err: (e as Error).name, giveUp }, 'outbox completion failed');
        if (giveUp) for (const b of batch) held.delete(b.id);
        else {
          sentQueue.unshift(...batch);
          await sleep(250 * 2 ** failures);
        }
      }
    }
    flushing = undefined;
  };
  const recordSent = (id: number, providerMessageId: string) => {
    sentQueue.push({ id, providerMessageId });
    flushing ??= flushSent();
    return flushing;
  };

  /**
   * Gives a claimed batch its chat turns and send slots (one statement each per bot), then
   * starts each send at its slot. Rows whose chat is not due yet go back to the queue.
   */
  async function dispatch(rows: OutboxRow[]): Promise<Promise<void>[]> {
    const tasks: Promise<void>[] = [];
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const paid = Boolean(row.payload.paidBroadcast);
      const key = `${row.channel}\u0000${row.bot_key}\u0000${paid ? 'paid' : 'normal'}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, group] of groups) {
      const [channel, botKey, pace] = key.split('\u0000') as [string, string, PacedBot['pace']];
      try {
        await dispatchGroup({ channel, botKey, pace }, group, tasks);
      } catch (e) {
        // Not sent: let the rows' leases lapse, and any worker claims them again.
        deps.log.error({ err: (e as Error).name }, 'outbox dispatch failed');
        for (const row of group) held.delete(row.id);
      }
    }
    return tasks;
  }

  /** One bot's share of a claimed batch: chat turns and send slots, one statement each. */
  async function dispatchGroup(bot: PacedBot, group: OutboxRow[], tasks: Promise<void>[]) {
    const limits = limitsOf(bot.channel);
    const gapOf = (row: OutboxRow) => (row.org_id ? limits.groupChatGapMs : limits.privateChatGapMs);
    const seen = new Set<string>();
    const gated = group.filter((r) => gapOf(r) > 0 && !seen.has(r.chat_id) && seen.add(r.chat_id));
    const turns = await takeChatTurns(
      deps.db.relaxed,
      bot,
      gated.map((r) => ({ chatId: r.chat_id, gapMs: gapOf(r) })),
    );
    const ready: OutboxRow[] = [];
    for (const row of group) {
      const gap = gapOf(row);
      if (gap === 0 || (gated.includes(row) && turns.has(row.chat_id))) ready.push(row);
      else
        tasks.push(
          reschedule(deps.db, owner, row.id, { ms: gap, reason: 'chat gap', refund: true }).finally(() =>
            held.delete(row.id),
          ),
        );
    }
    if (ready.length === 0) return;
    const interval = 1000 / ((bot.pace === 'paid' ? limits.paidPerSecond : limits.perSecond) * HEADROOM);
    const first = await takeSendSlots(deps.db.relaxed, bot, interval, ready.length);
    for (const [i, row] of ready.entries()) tasks.push(deliver(row, bot, first + i * interval, interval));
  }

  async function deliver(row: OutboxRow, bot: PacedBot, wait: number, interval: number) {
    const sender = bySender.get(row.channel)!;
    let sent: { providerMessageId: string };
    try {
      // A worker that was held up (a busy machine, a long GC) must not fire its overdue slots
      // all at once: a send more than a little late takes a fresh slot instead.
      for (let tries = 0; ; tries++) {
        const at = Date.now() + wait;
        if (wait > 0) await sleep(wait);
        if (Date.now() - at <= Math.max(LATE_MS, 2 * interval) || tries >= 1) break;
        wait = await takeSendSlots(deps.db.relaxed, bot, interval, 1);
      }
      sent = await sender.send(
        { botKey: row.bot_key, chatId: row.chat_id, paidBroadcast: bot.pace === 'paid' },
        row.payload,
      );
    } catch (e) {
      try {
        await settleFailure(row, bot, e);
      } finally {
        held.delete(row.id);
      }
      return;
    }
    // Replies' choices were remembered by the conversation core when it answered. Losing
    // them costs the member a typed number, not a second copy of the message.
    if (sender.numberedChoices && row.lane !== LANE.reply && row.payload.choices?.length)
      await rememberSentChoices(
        deps.db,
        { channel: row.channel, botKey: row.bot_key, chatId: row.chat_id },
        row.payload.choices.map((c) => sender.choiceData?.(c) ?? ('data' in c ? (c.data ?? '') : '')),
      ).catch((e) => deps.log.warn({ err: (e as Error).name, outboxId: row.id }, 'numbered choices not kept'));
    await recordSent(row.id, sent.providerMessageId);
  }

  async function settleFailure(row: OutboxRow, bot: PacedBot, e: unknown) {
    const err = e instanceof SendError ? e : new SendError('transient', 'unexpected error');
    if (!(e instanceof SendError)) deps.log.error({ err: (e as Error).name, outboxId: row.id }, 'outbox send crashed');
    if (err.kind === 'rate_limited') {
      const ms = err.retryAfterMs ?? 1000;
      await pauseBot(deps.db.relaxed, bot, ms);
      // A 429 is the platform's pacing, not a failed attempt.
      await reschedule(deps.db, owner, row.id, { ms, reason: 'rate limited', refund: true });
    } else if (err.kind === 'permanent' || row.attempts >= maxAttempts) {
      await markFailed(deps.db, owner, row.id, err.reason);
    } else {
      const backoff = Math.min(300_000, 1000 * 2 ** (row.attempts - 1));
      const ms = backoff / 2 + Math.random() * (backoff / 2);
      await reschedule(deps.db, owner, row.id, { ms, reason: err.reason, refund: false });
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        let claimed = 0;
        for (const l of lanes) {
          const free = l.concurrency - l.inFlight.size;
          // Broadcasts are claimed in batches (one slot statement per batch); replies at once.
          const minBatch = l.lane === LANE.reply || l.inFlight.size === 0 ? 1 : Math.ceil(l.concurrency / 2);
          if (free < minBatch) continue;
          const rows = await claimMessages(deps.db.relaxed, { owner, lane: l.lane, bots, leaseSeconds, limit: free });
          claimed += rows.length;
          for (const row of rows) held.add(row.id);
          for (const task of await dispatch(rows)) {
            const p: Promise<void> = task
              .catch((e) => deps.log.error({ err: (e as Error).name }, 'outbox delivery failed'))
              .finally(() => {
                l.inFlight.delete(p);
                kick();
              });
            l.inFlight.add(p);
          }
        }
        if (claimed > 0 || woken) {
          woken = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.idlePollMs ?? 500);
          wake = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
        });
      } catch (e) {
        deps.log.error({ err: (e as Error).name }, 'outbox worker failed; retrying');
        await sleep(1000);
      }
    }
  })();

  return {
    owner,
    /** Look for new rows now (call after enqueueing). */
    kick,
    async stop() {
      running = false;
      kick();
      await loop;
      await Promise.all(lanes.flatMap((l) => [...l.inFlight]));
      await flushing;
      clearInterval(heartbeat);
      clearInterval(pruning);
      await listening?.close();
    },
  };
}
