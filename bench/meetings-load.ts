/**
 * The load side of bench:meetings (a separate process): every member checks in, then votes,
 * through the HTTP API, with bounded concurrency — check-ins, open votes and secret votes in
 * three timed phases. Prints one JSON line with latencies.
 */
import fs from 'node:fs';
import http from 'node:http';
import { benchArgs, percentile } from './args.ts';

const { url, plan, concurrency } = benchArgs({ url: '', plan: '', concurrency: 64 });
const members: { token: string; meetingId: number; motionId: number; choice: string; ballot?: string }[] = JSON.parse(
  fs.readFileSync(plan, 'utf8'),
);

const latencies: number[] = [];
let errors = 0;
// node:http with keep-alive costs the load side far less CPU than fetch: the service gets the cores.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
function call(path: string, token: string, body: object): Promise<void> {
  const payload = JSON.stringify(body);
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t);
          if (res.statusCode !== 200) errors++;
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Three phases, each timed apart so a secret ballot's encryption shows on its own (issue 28):
 * every member checks in, then the open ballots are cast, then the secret ones.
 */
async function phase(items: typeof members, send: (m: (typeof members)[number]) => Promise<void>) {
  const from = latencies.length;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await send(items[next++]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const mine = latencies.slice(from).sort((a, b) => a - b);
  return { ops: mine.length, seconds, p50: percentile(mine, 50), p99: percentile(mine, 99) };
}

const started = performance.now();
const checkIns = await phase(members, (m) => call(`/meetings/${m.meetingId}/check-in`, m.token, {}));
const vote = (m: (typeof members)[number]) => call(`/motions/${m.motionId}/votes`, m.token, { choice: m.choice });
const openVotes = await phase(
  members.filter((m) => m.ballot !== 'secret'),
  vote,
);
const secretVotes = await phase(
  members.filter((m) => m.ballot === 'secret'),
  vote,
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    ops: latencies.length,
    seconds,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    checkIns,
    openVotes,
    secretVotes,
  }),
);
