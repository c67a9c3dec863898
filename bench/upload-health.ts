/**
 * bench:upload-health — /health latency while a large body trickles in to the member
 * import (authenticated), against /health on the idle service in the same run; and how soon
 * an anonymous body of the same size is refused. The service runs on an in-memory PGlite;
 * the uploader and the probe share the bench process with the server (a worst case).
 *
 *   npm run bench:upload-health -- --mb 19 --probes 50
 */
import http from 'node:http';
import { connectPglite } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { buildServer } from '../api/server.ts';
import { makeOrgTree, makeSecretary } from '../test/factories/index.ts';
import { benchArgs, benchDeps, percentile, round, runBench } from './args.ts';

const { mb, probes } = benchArgs({ mb: 19, probes: 50 });
const CHUNK = 256 * 1024;

async function main() {
  const db = await connectPglite(null);
  await migrate(db);
  const deps = benchDeps(db);
  const app = await buildServer(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const tree = await makeOrgTree(db);
  const sec = await makeSecretary(db, tree.cellA);
  const size = Math.round(mb * 1024 * 1024);
  const path = `/orgs/${tree.cellA.id}/members/import`;

  try {
    const probe = async () => {
      const t0 = performance.now();
      await (await fetch(`${base}/health`)).json();
      return performance.now() - t0;
    };
    const idle: number[] = [];
    for (let i = 0; i < Math.min(probes, 1000); i++) idle.push(await probe());

    let allSent = false;
    let answered = false;
    const upload = send(
      base,
      path,
      { authorization: `Bearer ${sec.token}`, 'content-type': 'text/csv' },
      size,
      20,
      () => {
        allSent = true;
      },
    ).then((r) => {
      answered = true;
      return r;
    });
    // While the body is on its way, then while the server reads it (until the answer).
    const during: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < 10_000 && !answered; i++) {
      (allSent ? after : during).push(await probe());
      await new Promise((r) => setTimeout(r, 20));
    }
    const uploaded = await upload;
    after.push(await probe());

    const t0 = performance.now();
    const anonymous = await send(base, path, { 'content-type': 'text/csv' }, size, 0);
    const anonymousMs = performance.now() - t0;

    idle.sort((a, b) => a - b);
    during.sort((a, b) => a - b);
    after.sort((a, b) => a - b);
    console.error(
      `baseline (idle): /health p50 ${round(percentile(idle, 50))} ms, ` +
        `max ${round(idle.at(-1)!)} ms over ${idle.length} probes`,
    );
    console.error(
      `during a ${mb} MB upload (answered ${uploaded.status}): /health p50 ${round(percentile(during, 50))} ms, ` +
        `max ${round(during.at(-1) ?? 0)} ms over ${during.length} probes`,
    );
    console.error(`while the server reads it: /health max ${round(after.at(-1)!)} ms over ${after.length} probes`);
    console.error(
      `anonymous ${mb} MB body: ${anonymous.status} after ${round(anonymousMs)} ms, ` +
        `${round(anonymous.sentWhenAnswered / 1024 / 1024)} MB sent`,
    );
    console.log(
      JSON.stringify({
        upload_mb: mb,
        health_idle_p50_ms: round(percentile(idle, 50)),
        health_idle_max_ms: round(idle.at(-1)!),
        health_during_upload_p50_ms: round(percentile(during, 50)),
        health_during_upload_max_ms: round(during.at(-1) ?? 0),
        health_probes_during_upload: during.length,
        health_after_upload_max_ms: round(after.at(-1)!),
        anonymous_status: anonymous.status,
        anonymous_refused_ms: round(anonymousMs),
      }),
    );
  } finally {
    await app.close();
    await db.close();
  }
}

function send(
  base: string,
  path: string,
  headers: Record<string, string>,
  size: number,
  pauseMs: number,
  onAllSent?: () => void,
): Promise<{ status: number; sentWhenAnswered: number }> {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      `${base}${path}`,
      // A connection of its own: a body cut short must not be followed by another request on it.
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(size) } },
      (res) => {
        answered = true;
        const at = sent;
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, sentWhenAnswered: at });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      if (answered) return; // the connection is dropped once the answer is read
      if (sent >= size) {
        onAllSent?.();
        return req.end();
      }
      const n = Math.min(CHUNK, size - sent);
      sent += n;
      req.write(n === CHUNK ? chunk : chunk.subarray(0, n));
      // After the first chunk the server has the headers: give an early refusal time to arrive.
      if (sent === n) return void waitForAnswer(1000).then(pump);
      setTimeout(pump, pauseMs);
    };
    const waitForAnswer = async (ms: number) => {
      for (let waited = 0; waited < ms && !answered; waited += 10) await new Promise((r) => setTimeout(r, 10));
    };
    pump();
  });
}

runBench(main);
