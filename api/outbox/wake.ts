/**
 * Wake-ups across processes on PostgreSQL: a dedicated connection LISTENs on the channel
 * the inbox NOTIFYs when it queues replies, so a send worker in another process starts at
 * once instead of at its next poll. Reconnects after losing the server.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_WAKE_CHANNEL } from './repository.ts';

export function listenForWake(url: string, onWake: () => void, log: Logger) {
  let client: pg.Client | undefined;
  let closed = false;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on('notification', () => onWake());
    c.on('error', () => {
      c.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 1000).unref();
    });
    try {
      await c.connect();
      await c.query(`listen ${OUTBOX_WAKE_CHANNEL}`);
      client = c;
    } catch {
      log.warn('outbox wake-up listener could not connect; polling only');
      c.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 5000).unref();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
