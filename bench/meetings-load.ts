/**
 * The load side of bench:meetings (a separate process): every member checks in, then votes,
 * through the HTTP API, with bounded concurrency. Prints one JSON line with latencies.
 */
import fs from 'node:fs';
import http from 'node:http';
import { benchArgs, percentile } from './args.ts';

const { url, plan, concurrency } = benchArgs({ url: '', plan: '', concurrency: 64 });
const members: { token: string; meetingId: number; motionId: number; choice: string }[] = JSON.parse(
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

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < members.length) {
      const m = members[next++];
      await call(`/meetings/${m.meetingId}/check-in`, m.token, {});
      await call(`/motions/${m.motionId}/votes`, m.token, { choice: m.choice });
    }
  }),
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
  }),
);
