/**
 * Where a bench's time goes, statement by statement (issue 31, point 3): wraps a `Db` so every
 * statement the service sends — on the pool, the relaxed connections and inside transactions —
 * is counted and timed from the call to its rows, under a label made from its first words.
 * Time here is wall time as a caller waits for it (queueing for a pooled connection included),
 * so the sum may exceed the run's duration when statements overlap.
 */
import type { Db, Sql } from '../api/db/connect.ts';
import { round } from './args.ts';

interface Tally {
  count: number;
  ms: number;
}

export function profileDb(db: Db) {
  const tallies = new Map<string, Tally>();
  let on = false;
  const wrap = (sql: Sql): Sql => ({
    async query(text, params) {
      if (!on) return sql.query(text, params);
      const t0 = performance.now();
      try {
        return await sql.query(text, params);
      } finally {
        const label = labelOf(text);
        const t = tallies.get(label) ?? { count: 0, ms: 0 };
        t.count++;
        t.ms += performance.now() - t0;
        tallies.set(label, t);
      }
    },
    exec: (text) => sql.exec(text),
  });
  const profiled: Db = {
    ...wrap(db),
    kind: db.kind,
    relaxed: wrap(db.relaxed),
    tx: (fn) => db.tx((sql) => fn(wrap(sql))),
    close: () => db.close(),
  };
  return {
    db: profiled,
    start() {
      tallies.clear();
      on = true;
    },
    stop() {
      on = false;
    },
    /** One line per statement kind, most time first, per processed update. */
    report(updates: number): string[] {
      const rows = [...tallies.entries()].sort((a, b) => b[1].ms - a[1].ms);
      const total = rows.reduce((s, [, t]) => s + t.count, 0);
      const lines = [
        `statements per update: ${round(total / updates)} (${total} over ${updates} updates)`,
        '  per update | mean ms | statement',
      ];
      for (const [label, t] of rows) {
        const perUpdate = String(round(t.count / updates, 3)).padStart(10);
        lines.push(`  ${perUpdate} | ${String(round(t.ms / t.count)).padStart(7)} | ${label}`);
      }
      return lines;
    },
  };
}

/** The statement's verb and the tables it names first: enough to tell the kinds apart. */
function labelOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const tables = [...flat.matchAll(/\b(?:from|into|update|join)\s+([a-z_]+)/gi)].map((m) => m[1].toLowerCase());
  const verb = flat.split(' ')[0].toLowerCase();
  return `${verb} ${[...new Set(tables)].slice(0, 4).join(', ')}`.slice(0, 90);
}
