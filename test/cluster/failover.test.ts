/**
 * Failover with nothing acknowledged lost: `npm run bench:failover` at a small size brings up
 * the local Patroni cluster, starts the service as `npm start` does behind a public address
 * (Telegram through its webhook, a fake Telegram), runs a meeting evening — check-ins and open
 * and secret ballots through the API and as Telegram button taps — and a broadcast, kills the
 * leader node (Patroni and its PostgreSQL) with SIGKILL, and reports. Every write answered 2xx
 * and every tap the webhook stored must be there, every tally exact, every message to the
 * members' chats sent, duplicates within the outbox's in-flight window (8 broadcast and 16
 * reply sends per worker, README), and the service back within 30 s.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithTools } from './tools.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CELLS = 10;
const MEMBERS = 10;
const RECIPIENTS = 200;

describeWithTools('failover: the primary killed during a meeting evening', ['patroni', 'etcd', 'haproxy'], () => {
  it('loses no acknowledged write, keeps tallies exact, and is back within 30 s', async () => {
    const args = ['--cells', `${CELLS}`, '--members', `${MEMBERS}`, '--recipients', `${RECIPIENTS}`];
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'bench/failover.ts', ...args, '--seconds', '30', '--port', '55500'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('exit', (c) => resolve({ code: c, out: text }));
    });
    expect(code, out.slice(-3000)).toBe(0);
    const last = out.trim().split('\n').at(-1)!;
    console.log(last); // the bench's figures, in CI's log
    const line = JSON.parse(last);
    expect(line, out.slice(-3000)).toMatchObject({ bench: 'failover', lost: 0, tallies_exact: 1 });
    // Every member's check-in and vote through the API, and each recipient's check-in and vote taps.
    expect(line.acknowledged).toBe(CELLS * MEMBERS * 2 + RECIPIENTS * 2);
    expect(line.unavailable_s).toBeGreaterThan(0);
    expect(line.unavailable_s).toBeLessThanOrEqual(30);
    expect(line.duplicates).toBeLessThanOrEqual(8 + 16);
  }, 300_000);
});
