/**
 * Group commit across requests. On a meeting evening thousands of members check in and vote
 * within minutes, each write one short statement; most of the database's time goes to what
 * every statement costs whatever its size (planning, executor start-up, the commit and its
 * WAL flush, waking a backend) rather than to the rows. A batched write sends the writes that
 * arrive while earlier ones are in flight as one statement over all of them, and gives each
 * caller its own outcome.
 *
 * - No timer: a write that finds the database free of its kind goes at once, alone, so a quiet
 *   evening waits for nothing; only while `inFlight` statements of its kind run do new writes
 *   queue, and the next statement takes up to `maxSize` of them.
 * - Two writes with the same key (a member's double tap) never share a statement: the later
 *   one waits for the next, so each statement sees at most one write per row.
 * - All or nothing per statement, as any statement: when a batch fails (a deadlock, a row
 *   deleted meanwhile), each of its writes is tried again alone, so one write's error is its
 *   own and never another's; without a connection, all fail at once.
 * - Only on the database itself: inside a transaction a write is that transaction's, and runs
 *   at once.
 * - The price: writes of one kind wait for the statement ahead of them. A statement that waits
 *   for a lock (a ballot for a motion being closed) holds back those queued behind it for as
 *   long; the transactions that lock motions and meetings are short.
 */
import { type Db, isConnectionError, type Sql } from './connect.ts';

export interface BatchedWriteSpec<In, Out> {
  /** One statement for the batch: an outcome per item, in the items' order. */
  run(sql: Sql, items: In[]): Promise<Out[]>;
  /**
   * Items with equal keys go in different statements. Without it every item may share one: reads
   * (api/chat-accounts/chat-turn.ts), where twenty members of one cell ask for the same row.
   */
  key?(item: In): string;
  /**
   * Statements running at once (default 1). One, measured: each statement then carries more
   * writes, and the writes of one kind do not contend with each other (bench:meetings, 2 000
   * cells: 6 100 acts/s with one, 4 600 with two, 3 000 with four).
   */
  inFlight?: number;
  /** Items per statement at most (default 64). */
  maxSize?: number;
}

interface Pending<In, Out> {
  item: In;
  resolve: (out: Out) => void;
  reject: (e: unknown) => void;
}

interface Lane<In, Out> {
  queue: Pending<In, Out>[];
  running: number;
}

export function batchedWrite<In, Out>(spec: BatchedWriteSpec<In, Out>): (sql: Sql, item: In) => Promise<Out> {
  const inFlight = spec.inFlight ?? 1;
  const maxSize = spec.maxSize ?? 64;
  const lanes = new WeakMap<Sql, Lane<In, Out>>();

  const pump = (db: Sql, lane: Lane<In, Out>) => {
    while (lane.running < inFlight && lane.queue.length) {
      const batch: Pending<In, Out>[] = [];
      const keys = new Set<string>();
      lane.queue = lane.queue.filter((p) => {
        const key = spec.key?.(p.item);
        if (batch.length >= maxSize || (key !== undefined && keys.has(key))) return true;
        if (key !== undefined) keys.add(key);
        batch.push(p);
        return false;
      });
      lane.running++;
      void send(db, batch).finally(() => {
        lane.running--;
        pump(db, lane);
      });
    }
  };

  const send = async (db: Sql, batch: Pending<In, Out>[]) => {
    try {
      const outs = await spec.run(
        db,
        batch.map((p) => p.item),
      );
      for (const [i, p] of batch.entries()) p.resolve(outs[i]);
    } catch (e) {
      // Without a database, trying each alone would only wait out each one's timeout.
      if (batch.length === 1 || isConnectionError(e)) for (const p of batch) p.reject(e);
      else for (const p of batch) await send(db, [p]);
    }
  };

  return (sql, item) => {
    if (!isDatabase(sql)) return spec.run(sql, [item]).then((outs) => outs[0]);
    const lane = lanes.get(sql) ?? { queue: [], running: 0 };
    lanes.set(sql, lane);
    const out = new Promise<Out>((resolve, reject) => lane.queue.push({ item, resolve, reject }));
    pump(sql, lane);
    return out;
  };
}

/** The database (a pool or the embedded database), not one transaction's connection. */
const isDatabase = (sql: Sql): sql is Db => 'tx' in sql;

/**
 * A batch as the table `i` of its statement: one row per write, its columns from the arrays
 * $1, $2 … in the order given, and `n` its place in the batch (from 1). The arrays are read
 * through sub-selects so that the planner estimates every batch alike and the prepared
 * statement keeps one plan; an array it can see would make it plan each batch size anew
 * (measured on bench:meetings: 4 000 acts/s instead of 4 650).
 */
export function batchTable(columns: Record<string, string>): string {
  const names = Object.keys(columns);
  const arrays = names.map((name, k) => `(select $${k + 1}::${columns[name]}[])`).join(', ');
  return `select * from unnest(${arrays}) with ordinality as i(${names.join(', ')}, n)`;
}

/** A batch statement's rows (each with its place `n` from `batchTable`) in the batch's order; undefined where none. */
export function inBatchOrder<R extends { n: number | string }>(size: number, rows: R[]): (R | undefined)[] {
  const byPlace = new Map(rows.map((r) => [Number(r.n), r]));
  return Array.from({ length: size }, (_, i) => byPlace.get(i + 1));
}
