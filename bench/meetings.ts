/**
 * bench:meetings — a national meeting evening on PostgreSQL: N cells of 25 members meet at
 * once; every member checks in and votes through the HTTP API (token auth, the roll and the
 * rules, audit log), driven from a second process. Half the cells vote by secret ballot
 * (encrypted at cast with proofs, decrypted only as totals at close: README "Secret ballots"),
 * half openly. Check-ins, open votes and secret ballots are timed apart. Then each motion is
 * closed through the API and its tally compared with the votes that were sent.
 *
 * Baseline, measured in the same run with the same load: the simplest correct design — a bare
 * Fastify server whose check-in is one insert and whose vote is one transaction inserting the
 * vote and bumping a running tally, with no authentication and no rules.
 *
 *   npm run bench:meetings -- --cells 2000 [--pool 24] [--concurrency 32]
 *
 * --pool is the service's PostgreSQL pool (PG_POOL_SIZE), --concurrency the requests in flight.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { Db } from '../api/db/connect.ts';
import { ballotGroupBuild } from '../api/meetings/ballot-crypto.ts';
import { buildServer } from '../api/server.ts';
import { freePort } from '../test/support/spawn-service.ts';
import { benchArgs, benchDeps, round, runBench, runChild, withBenchDatabase } from './args.ts';
import { generateMeetingEvening } from './meeting-evening-data.ts';

const {
  cells,
  members: perCell,
  concurrency,
  pool,
} = benchArgs({ cells: 2000, members: 25, concurrency: 32, pool: 24 });
const HERE = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  await withBenchDatabase('bench_meetings', pool, async (db) => {
    const t0 = performance.now();
    await generate(db);
    console.log(
      `set up ${cells} cells × ${perCell} members, meetings in progress, one open motion each: ` +
        `${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const deps = benchDeps(db);
    const baseline = await runBaseline(db);
    console.log(
      `baseline (bare insert + running tally, no auth, no rules): ${round(baseline.ops / baseline.seconds)} ops/s`,
    );
    const app = await buildServer(deps);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });

    const plan = await db.query<{
      token: string;
      meetingId: number;
      motionId: number;
      choice: string;
      secretary: string;
    }>(
      `select 'sdv_bench_' || m.id as token, mt.id as "meetingId", mo.id as "motionId",
              (array['for','for','for','against','abstain'])[1 + m.id % 5] as choice, mo.ballot
         from members m join meetings mt on mt.cell_id = m.cell_id join motions mo on mo.meeting_id = mt.id
        order by random()`,
    );
    const file = path.join(os.tmpdir(), `bench-meetings-${crypto.randomBytes(3).toString('hex')}.json`);
    fs.writeFileSync(file, JSON.stringify(plan));
    const load = await runLoad(`http://127.0.0.1:${port}`, file);
    fs.rmSync(file);
    const secretMotions = await db.query<{ n: number }>(
      `select count(*)::int as n from motions where ballot = 'secret'`,
    );

    // Close every motion through the API and compare the tally with what was sent.
    const expected = new Map<number, Record<string, number>>();
    for (const p of plan) {
      const e = expected.get(p.motionId) ?? { for: 0, against: 0, abstain: 0 };
      e[p.choice]++;
      expected.set(p.motionId, e);
    }
    const secretaries = await db.query<{ motionId: number; token: string }>(
      `select mo.id as "motionId", 'sdv_bench_s' || mt.cell_id as token
         from motions mo join meetings mt on mt.id = mo.meeting_id`,
    );
    let exact = 0;
    for (const s of secretaries) {
      const res = await app.inject({
        method: 'POST',
        url: `/motions/${s.motionId}/close?confirm=true`,
        headers: { authorization: `Bearer ${s.token}` },
      });
      const r = res.json() as { for: number; against: number; abstain: number };
      const e = expected.get(s.motionId)!;
      if (r.for === e.for && r.against === e.against && r.abstain === e.abstain) exact++;
    }
    await app.close();
    const opsPerS = load.ops / load.seconds;
    console.log(
      `${load.ops} check-ins + votes in ${round(load.seconds, 1)} s = ${round(opsPerS)} ops/s; ` +
        `p50 ${round(load.p50)} ms, p99 ${round(load.p99)} ms; errors ${load.errors}`,
    );
    console.log(
      `check-ins ${perS(load.checkIns)}/s (p99 ${round(load.checkIns.p99)} ms), open votes ` +
        `${perS(load.openVotes)}/s (p99 ${round(load.openVotes.p99)} ms), secret ballots encrypted with proofs ` +
        `${perS(load.secretVotes)}/s (p99 ${round(load.secretVotes.p99)} ms); baseline check-ins ` +
        `${perS(baseline.checkIns)}/s, votes ${perS(baseline.openVotes)}/s`,
    );
    console.log(`exact tallies: ${exact}/${secretaries.length}`);
    console.log(
      JSON.stringify({
        bench: 'meetings',
        cells,
        pool,
        concurrency,
        ops_per_s: round(opsPerS),
        baseline_ops_per_s: round(baseline.ops / baseline.seconds),
        secret_motions: secretMotions[0].n,
        check_ins_per_s: perS(load.checkIns),
        open_votes_per_s: perS(load.openVotes),
        secret_ballots_per_s: perS(load.secretVotes),
        secret_p99_ms: round(load.secretVotes.p99),
        ballot_crypto: ballotGroupBuild(),
        ballot_threads: process.env.BALLOT_THREADS ?? 'default',
        baseline_check_ins_per_s: perS(baseline.checkIns),
        baseline_votes_per_s: perS(baseline.openVotes),
        p50_ms: round(load.p50),
        p99_ms: round(load.p99),
        errors: load.errors,
        exact_tallies: round(exact / secretaries.length, 4),
      }),
    );
  });
}

/** Cells, members, principals with known tokens, a meeting in progress and an open motion per cell — in SQL. */
async function generate(db: Db) {
  await generateMeetingEvening(db, { cells, perCell, tokenPrefix: 'sdv_bench_', label: 'bench' });
  await db.exec(`
    -- Last month's meeting of every cell, everyone present: the tables a real evening starts
    -- from are not empty (an empty table's plans scan it whole as it fills).
    insert into meetings (cell_id, kind, starts_at, mode, status, opened_at, closed_at)
      select id, 'regular', now() - interval '30 days', 'hybrid', 'closed', now() - interval '30 days',
             now() - interval '30 days' + interval '2 hours' from orgs where kind = 'cell';
    insert into meeting_attendance (meeting_id, member_id, checked_in_at, check_in_method)
      select mt.id, m.id, mt.starts_at, 'chat' from meetings mt join members m on m.cell_id = mt.cell_id
       where mt.status = 'closed';
    select fold_member_activity();
    analyze;`);
}

/**
 * The baseline: the same load against a bare Fastify server (check-in: one insert; vote: one
 * transaction inserting the vote and bumping a running tally), on the same database server.
 */
async function runBaseline(db: Db) {
  await db.exec(`
    create table bench_attendance (meeting_id int, member_id int, primary key (meeting_id, member_id));
    create table bench_votes (motion_id int, member_id int, choice text, primary key (motion_id, member_id));
    create table bench_tally (motion_id int, choice text, n int not null default 0, primary key (motion_id, choice));
    insert into bench_tally select mo.id, c from motions mo, unnest(array['for','against','abstain']) c;`);
  const bare = Fastify();
  const memberOf = (auth?: string) => Number(/sdv_bench_(\d+)/.exec(auth ?? '')?.[1]);
  bare.post<{ Params: { id: string } }>('/meetings/:id/check-in', async (req) => {
    await db.query(`insert into bench_attendance values ($1, $2) on conflict do nothing`, [
      Number(req.params.id),
      memberOf(req.headers.authorization),
    ]);
    return { ok: true };
  });
  bare.post<{ Params: { id: string }; Body: { choice: string } }>('/motions/:id/votes', async (req) => {
    await db.tx(async (sql) => {
      const motion = Number(req.params.id);
      await sql.query(`insert into bench_votes values ($1, $2, $3)`, [
        motion,
        memberOf(req.headers.authorization),
        req.body.choice,
      ]);
      await sql.query(`update bench_tally set n = n + 1 where motion_id = $1 and choice = $2`, [
        motion,
        req.body.choice,
      ]);
    });
    return { ok: true };
  });
  const port = await freePort();
  await bare.listen({ port, host: '127.0.0.1' });
  const plan = await db.query(
    `select 'sdv_bench_' || m.id as token, mt.id as "meetingId", mo.id as "motionId",
            (array['for','for','for','against','abstain'])[1 + m.id % 5] as choice
       from members m join meetings mt on mt.cell_id = m.cell_id join motions mo on mo.meeting_id = mt.id
      order by random()`,
  );
  const file = path.join(os.tmpdir(), `bench-meetings-base-${crypto.randomBytes(3).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(plan));
  try {
    return await runLoad(`http://127.0.0.1:${port}`, file);
  } finally {
    fs.rmSync(file);
    await bare.close();
    await db.exec('drop table bench_attendance, bench_votes, bench_tally');
  }
}

interface Phase {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}
const perS = (p: Phase) => (p.ops ? round(p.ops / p.seconds) : 0);

function runLoad(url: string, plan: string) {
  return runChild<{
    ops: number;
    seconds: number;
    errors: number;
    p50: number;
    p99: number;
    checkIns: Phase;
    openVotes: Phase;
    secretVotes: Phase;
  }>(path.join(HERE, 'meetings-load.ts'), ['--url', url, '--plan', plan, '--concurrency', String(concurrency)]);
}

runBench(main);
