/**
 * Sends the outbox. Rows are claimed with a lease (status 'sending', next_attempt_at =
 * lease end) and marked 'sent' after the platform accepted them.
 *
 * Recovery policy, explicit: a row whose worker died between the platform's "ok" and our
 * "sent" is still 'sending' when its lease ends, and is sent again — at-least-once, so a
 * crash can duplicate at most the messages in flight at that moment (≤ concurrency per bot);
 * in the normal path each row is sent once.
 *
 * Limits, per bot: a global pacer (Telegram ~30/s; paid broadcast up to 1000/s), a
 * minimum spacing per chat (Telegram ~1/s to a private chat, 20/min to a group); 429 pauses
 * the bot for retry_after; 5xx and network errors back off exponentially with jitter
 * (capped); 403/400 mark the row failed with the reason and never retry.
 */
import type { Deps } from '../context.ts';
import { SendError, type ChannelSender } from './sender.ts';
import { Pacer, sleep } from './pacer.ts';
import type { OutboundPayload } from './enqueue.ts';

export interface ChannelLimits {
  perSecond: number;
  paidPerSecond: number;
  /** Minimum milliseconds between two messages to one private chat / one group. */
  privateChatGapMs: number;
  groupChatGapMs: number;
}

export const DEFAULT_LIMITS: Record<'telegram' | 'zalo' | 'web', ChannelLimits> = {
  telegram: { perSecond: 30, paidPerSecond: 1000, privateChatGapMs: 1000, groupChatGapMs: 3000 },
  // Zalo publishes no limits: a conservative default.
  zalo: { perSecond: 10, paidPerSecond: 10, privateChatGapMs: 1000, groupChatGapMs: 3000 },
  web: { perSecond: 10_000, paidPerSecond: 10_000, privateChatGapMs: 0, groupChatGapMs: 0 },
};

export interface OutboxWorkerOptions {
  limits?: Partial<Record<'telegram' | 'zalo' | 'web', Partial<ChannelLimits>>>;
  /** Sends in flight per bot. */
  concurrency?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  idlePollMs?: number;
}

interface Row {
  id: number;
  channel: 'telegram' | 'zalo' | 'web';
  bot_key: string;
  chat_id: string;
  org_id: number | null;
  payload: OutboundPayload & { paidBroadcast?: boolean };
  attempts: number;
}

export function startOutboxWorker(
  deps: Pick<Deps, 'db' | 'log'>,
  senders: ChannelSender[],
  options: OutboxWorkerOptions = {},
) {
  const bySender = new Map(senders.map((s) => [s.channel, s]));
  const concurrency = options.concurrency ?? 8;
  const leaseSeconds = options.leaseSeconds ?? 60;
  const maxAttempts = options.maxAttempts ?? 10;
  const limitsOf = (channel: Row['channel']) => ({ ...DEFAULT_LIMITS[channel], ...options.limits?.[channel] });
  const buckets = new Map<string, { normal: Pacer; paid: Pacer }>();
  const chatReadyAt = new Map<string, number>();
  let running = true;
  let wake: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();

  const bucket = (row: Row) => {
    const key = `${row.channel}:${row.bot_key}`;
    let b = buckets.get(key);
    if (!b) {
      const l = limitsOf(row.channel);
      b = { normal: new Pacer(l.perSecond), paid: new Pacer(l.paidPerSecond) };
      buckets.set(key, b);
    }
    return b;
  };

  async function claim(limit: number): Promise<Row[]> {
    const rows = await deps.db.query<Row>(
      `update outbox_messages set status = 'sending', attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        where id in (
          select id from outbox_messages
           where status in ('queued', 'sending') and next_attempt_at <= now() and channel = any($3::text[])
           order by next_attempt_at, id limit $1 for update skip locked)
        returning id, channel, bot_key, chat_id, org_id, payload, attempts`,
      [limit, leaseSeconds, [...bySender.keys()]],
    );
    return rows.sort((a, b) => a.id - b.id);
  }

  async function deliver(row: Row) {
    const sender = bySender.get(row.channel)!;
    const limits = limitsOf(row.channel);
    const chatKey = `${row.channel}:${row.bot_key}:${row.chat_id}`;
    const gap = row.org_id ? limits.groupChatGapMs : limits.privateChatGapMs;
    const readyAt = chatReadyAt.get(chatKey) ?? 0;
    chatReadyAt.set(chatKey, Math.max(Date.now(), readyAt) + gap);
    if (readyAt > Date.now()) await sleep(readyAt - Date.now());
    const b = bucket(row);
    await (row.payload.paidBroadcast ? b.paid : b.normal).acquire();
    try {
      const { providerMessageId } = await sender.send(
        { botKey: row.bot_key, chatId: row.chat_id, paidBroadcast: row.payload.paidBroadcast },
        row.payload,
      );
      await deps.db.query(
        `update outbox_messages set status = 'sent', sent_at = now(), provider_message_id = $2, last_error = null where id = $1`,
        [row.id, providerMessageId],
      );
    } catch (e) {
      const err = e instanceof SendError ? e : new SendError('transient', 'unexpected error');
      if (err.kind === 'rate_limited') {
        const wait = err.retryAfterMs ?? 1000;
        (row.payload.paidBroadcast ? b.paid : b.normal).pause(wait);
        // A 429 is the platform's pacing, not a failed attempt.
        await reschedule(row, wait, 'rate limited', true);
      } else if (err.kind === 'permanent' || row.attempts >= maxAttempts) {
        await deps.db.query(`update outbox_messages set status = 'failed', last_error = $2 where id = $1`, [
          row.id,
          err.reason.slice(0, 300),
        ]);
      } else {
        const backoff = Math.min(300_000, 1000 * 2 ** (row.attempts - 1));
        await reschedule(row, backoff / 2 + Math.random() * (backoff / 2), err.reason, false);
      }
    }
  }

  async function reschedule(row: Row, ms: number, reason: string, refund: boolean) {
    await deps.db.query(
      `update outbox_messages set status = 'queued', next_attempt_at = now() + make_interval(secs => $2), last_error = $3,
              attempts = attempts - $4 where id = $1`,
      [row.id, ms / 1000, reason.slice(0, 300), refund ? 1 : 0],
    );
  }

  const loop = (async () => {
    while (running) {
      try {
        const free = concurrency * Math.max(1, buckets.size || 1) - inFlight.size;
        const rows = free > 0 ? await claim(Math.min(free, 200)) : [];
        for (const row of rows) {
          const p = deliver(row).catch((e) => deps.log.error({ err: e, outboxId: row.id }, 'outbox delivery crashed'));
          const tracked = p.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
        }
        if (rows.length === 0 || free <= 0) {
          await Promise.race([
            inFlight.size ? Promise.race(inFlight) : new Promise<void>((r) => setTimeout(r, options.idlePollMs ?? 500)),
            new Promise<void>((r) => (wake = r)),
          ]);
        } else if (inFlight.size >= concurrency) {
          await Promise.race(inFlight);
        }
      } catch (e) {
        deps.log.error({ err: e }, 'outbox worker failed; retrying');
        await sleep(1000);
      }
    }
  })();

  return {
    /** Look for new rows now (call after enqueueing). */
    kick: () => wake?.(),
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.all(inFlight);
    },
  };
}
