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
import { SendError, type ChannelSender } from './sender.ts';
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
  takeChatTurn,
  takeSendSlot,
  type OutboxRow,
} from './repository.ts';
import { listenForWake } from './wake.ts';

export interface ChannelLimits {
  perSecond: number;
  paidPerSecond: number;
  /** Minimum milliseconds between two messages to one private chat / one group. */
  privateChatGapMs: number;
  groupChatGapMs: number;
}

/** Slots are spaced for this share of the nominal rate, to absorb network jitter. */
export const HEADROOM = 0.97;

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
  const channels = [...bySender.keys()];
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
      void extendMessageLeases(deps.db, owner, [...held], leaseSeconds).catch((e) =>
        deps.log.warn({ err: (e as Error).name }, 'outbox lease extension failed'),
      ),
    (leaseSeconds * 1000) / 3,
  );
  const pruning = setInterval(() => void pruneChatGates(deps.db).catch(() => {}), 60_000);
  heartbeat.unref();
  pruning.unref();
  const listening = options.listenUrl ? listenForWake(options.listenUrl, kick, deps.log) : undefined;

  async function deliver(row: OutboxRow) {
    const sender = bySender.get(row.channel)!;
    const limits = limitsOf(row.channel);
    const paid = Boolean(row.payload.paidBroadcast);
    const bot = { channel: row.channel, botKey: row.bot_key, pace: paid ? ('paid' as const) : ('normal' as const) };
    try {
      const gap = row.org_id ? limits.groupChatGapMs : limits.privateChatGapMs;
      if (gap > 0) {
        const wait = await takeChatTurn(
          deps.db,
          { channel: row.channel, botKey: row.bot_key, chatId: row.chat_id },
          gap,
        );
        if (wait > 0) await sleep(wait);
      }
      const rate = paid ? limits.paidPerSecond : limits.perSecond;
      const wait = await takeSendSlot(deps.db, bot, 1000 / (rate * HEADROOM));
      if (wait > 0) await sleep(wait);
      const { providerMessageId } = await sender.send(
        { botKey: row.bot_key, chatId: row.chat_id, paidBroadcast: paid },
        row.payload,
      );
      if (!(await markSent(deps.db, owner, row.id, providerMessageId)))
        deps.log.warn({ outboxId: row.id }, 'outbox lease was taken over before completion');
      // Replies' choices were remembered by the conversation core when it answered.
      if (sender.numberedChoices && row.lane !== LANE.reply && row.payload.choices?.length)
        await rememberSentChoices(
          deps.db,
          { channel: row.channel, botKey: row.bot_key, chatId: row.chat_id },
          row.payload.choices.map((c) => c.data),
        );
    } catch (e) {
      const err = e instanceof SendError ? e : new SendError('transient', 'unexpected error');
      if (!(e instanceof SendError))
        deps.log.error({ err: (e as Error).name, outboxId: row.id }, 'outbox send crashed');
      if (err.kind === 'rate_limited') {
        const wait = err.retryAfterMs ?? 1000;
        await pauseBot(deps.db, bot, wait);
        // A 429 is the platform's pacing, not a failed attempt.
        await reschedule(deps.db, owner, row.id, { ms: wait, reason: 'rate limited', refund: true });
      } else if (err.kind === 'permanent' || row.attempts >= maxAttempts) {
        await markFailed(deps.db, owner, row.id, err.reason);
      } else {
        const backoff = Math.min(300_000, 1000 * 2 ** (row.attempts - 1));
        const ms = backoff / 2 + Math.random() * (backoff / 2);
        await reschedule(deps.db, owner, row.id, { ms, reason: err.reason, refund: false });
      }
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        let claimed = 0;
        for (const l of lanes) {
          const free = l.concurrency - l.inFlight.size;
          if (free <= 0) continue;
          const rows = await claimMessages(deps.db, { owner, lane: l.lane, channels, leaseSeconds, limit: free });
          claimed += rows.length;
          for (const row of rows) {
            held.add(row.id);
            const p: Promise<void> = deliver(row)
              .catch((e) => deps.log.error({ err: (e as Error).name, outboxId: row.id }, 'outbox delivery failed'))
              .finally(() => {
                held.delete(row.id);
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
      clearInterval(heartbeat);
      clearInterval(pruning);
      await listening?.close();
    },
  };
}
