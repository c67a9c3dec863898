/**
 * bench:failover — a meeting evening and a broadcast while the PostgreSQL primary dies.
 *
 * Brings up the local Patroni cluster (deploy/cluster/up.sh: etcd, two PostgreSQL 15 nodes in
 * synchronous mode, HAProxy on the leader), starts the service as `npm start` does against
 * HAProxy (a fake Telegram), and while members check in (API and Telegram) and vote (open and
 * secret ballots) and a notice goes out, kills the leader node with SIGKILL (Patroni and its PostgreSQL:
 * deploy/cluster/kill-node.sh). Clients
 * retry a 503 or a dropped connection, as a member's phone does. Afterwards it checks that
 * every write answered 2xx is there, every tally is exact, and every broadcast recipient got
 * the notice (a duplicate counted; the README's in-flight window bounds them).
 *
 *   npm run bench:failover -- [--cells 40] [--members 10] [--recipients 400] [--seconds 45] [--port 55400]
 *
 * Needs root or the postgres user, and Debian's patroni, etcd-server, haproxy, postgresql-15.
 * The one JSON line: acknowledged writes, lost (target 0), duplicates, unavailable_s (from the
 * kill to the first write served again; target ≤ 30 on one machine), tallies_exact.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectPostgres, type Db } from '../api/db/connect.ts';
import { migrate } from '../api/db/migrate.ts';
import { enqueueForMembers } from '../api/outbox/enqueue.ts';
import { countUnsent } from '../api/outbox/repository.ts';
import { findOrg } from '../api/orgs/repository.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { makeLinkedMembersInBulk } from '../test/factories/index.ts';
import { startService } from '../test/support/spawn-service.ts';
import { benchArgs, round, runBench } from './args.ts';
import { generateMeetingEvening } from './meeting-evening-data.ts';

const {
  cells,
  members: perCell,
  recipients,
  port: basePort,
  concurrency,
  seconds,
} = benchArgs({
  cells: 40,
  members: 10,
  recipients: 400,
  port: 55400,
  concurrency: 16,
  seconds: 45,
});
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const TG = '7070:FAILOVER';

interface Plan {
  token: string;
  meetingId: number;
  motionId: number;
  choice: 'for' | 'against' | 'abstain';
}

async function main() {
  const dir = (await run('mktemp', ['-d', '/tmp/sotay-failover.XXXXXX'])).stdout.trim();
  const env = { ...process.env, BASE_PORT: String(basePort) };
  let db: Db | undefined;
  let serviceOutput = () => '';
  try {
    const up = await run('bash', [path.join(ROOT, 'deploy/cluster/up.sh'), dir], { env, maxBuffer: 1 << 24 });
    const url = /DATABASE_URL=(\S+)/.exec(up.stdout)![1];
    db = await connectPostgres(url, 16);
    await migrate(db);
    await generate(db);
    const plan = await db.query<Plan>(
      `select 'sdv_fo_' || m.id as token, mt.id as "meetingId", mo.id as "motionId",
              (array['for','for','for','against','abstain'])[1 + m.id % 5] as choice
         from members m join meetings mt on mt.cell_id = m.cell_id join motions mo on mo.meeting_id = mt.id
        order by random()`,
    );
    const broadcastCell = (await findOrg(db, 3))!;
    const recipientIds = await makeLinkedMembersInBulk(db, broadcastCell, recipients, 880_001);

    // The service as `npm start` runs it (API, chat inbox, outbox worker with LISTEN, scheduler),
    // its Telegram a local fake; it must outlive the failover.
    const telegram = await new FakeTelegram([TG]).start();
    const service = await startService(
      {
        DATABASE_URL: url,
        DEMO: '0',
        TELEGRAM_BOT_TOKEN: TG,
        TELEGRAM_API_ROOT: telegram.root,
        OUTBOX_TELEGRAM_RATE: '30',
        LOG_LEVEL: 'error',
      },
      /Web chat:/,
      120_000,
    );
    serviceOutput = service.output;
    await enqueueForMembers(db, recipientIds, { text: 'Thông báo khẩn của chi bộ' }, { kind: 'failover-bench' });

    const client = new Client(service.baseUrl);
    const leader = await findLeader(basePort);
    let killedAt = 0;
    const killer = (async () => {
      // A few seconds into the evening, with the broadcast half sent.
      while (client.ok < plan.length / 4 || telegram.sent.length < recipients / 4) await sleep(50);
      // Patroni and its PostgreSQL together, as when the leader's machine dies.
      await run('bash', [path.join(ROOT, 'deploy/cluster/kill-node.sh'), dir, String(leader)]);
      killedAt = performance.now();
      console.log(`killed node${leader} (the leader) after ${client.ok} acknowledged writes`);
    })();
    // Members in the broadcast's cell check in from Telegram through the evening ("điểm danh"):
    // an update stays with Telegram until the service has stored it, whatever the database does.
    const chatMembers = recipientIds.slice(0, Math.floor(recipients / 2));
    const chatting = (async () => {
      for (let i = 0; i < chatMembers.length; i++) {
        telegram.pushUpdate(TG, telegram.textUpdate({ fromId: 880_001 + i, text: 'diem danh' }));
        await sleep((seconds * 1000) / chatMembers.length);
      }
    })();
    const acknowledged = await drive(client, plan);
    await killer;
    await chatting;
    for (let i = 0; i < 600 && (await countUnsent(db).catch(() => 1)) > 0; i++) await sleep(100);
    if (service.child.exitCode !== null) throw new Error(`the service died:\n${service.output().slice(-3000)}`);

    const unavailable = client.outageAfter(killedAt);
    const lostChat = await waitForChatCheckIns(db, chatMembers);
    const lost = (await countLost(db, client, acknowledged.checkIns, acknowledged.votes)) + lostChat;
    const exact = await closeAndCompare(client, db, acknowledged.votes);
    const notices = telegram.sent.filter((m) => m.text?.includes('Thông báo khẩn'));
    const chats = new Set(notices.map((m) => m.chatId));
    const lostMessages = recipients - chats.size;
    const duplicates = notices.length - chats.size;
    if (service.child.exitCode !== null) throw new Error(`the service died:\n${service.output().slice(-3000)}`);
    await service.stop();
    await telegram.close();
    console.log(
      `${acknowledged.checkIns.length} check-ins and ${acknowledged.votes.length} votes acknowledged, ` +
        `${chatMembers.length - lostChat}/${chatMembers.length} chat check-ins on the roll; ` +
        `503 answers ${client.unavailable}, connection errors ${client.dropped}; ` +
        `notice to ${chats.size}/${recipients} chats, ${duplicates} duplicate(s)`,
    );
    console.log(
      JSON.stringify({
        bench: 'failover',
        acknowledged: acknowledged.checkIns.length + acknowledged.votes.length + chatMembers.length,
        lost: lost + lostMessages,
        duplicates,
        unavailable_s: round(unavailable / 1000, 1),
        tallies_exact: exact ? 1 : 0,
      }),
    );
  } finally {
    await db?.close().catch(() => {});
    if (process.env.FAILOVER_LOG_DIR) keepLogs(dir, process.env.FAILOVER_LOG_DIR, serviceOutput());
    await run('bash', [path.join(ROOT, 'deploy/cluster/down.sh'), dir]).catch(() => {});
  }
}

/** FAILOVER_LOG_DIR: the cluster's logs and the service's output, kept for reading after a run. */
function keepLogs(clusterDir: string, into: string, serviceOutput: string) {
  fs.mkdirSync(into, { recursive: true });
  for (const name of ['etcd.log', 'haproxy.log', 'node1/patroni.log', 'node2/patroni.log']) {
    const from = path.join(clusterDir, name);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(into, name.replace('/', '-')));
  }
  fs.writeFileSync(path.join(into, 'service.log'), serviceOutput);
}

/** Cells with a meeting in progress and one open motion each, half by secret ballot; tokens known. */
const generate = (db: Db) => generateMeetingEvening(db, { cells, perCell, tokenPrefix: 'sdv_fo_', label: 'thử' });

/** Every member checks in, then votes; each request retried until it is answered for good. */
async function drive(client: Client, plan: Plan[]) {
  const checkIns: Plan[] = [];
  const votes: Plan[] = [];
  let next = 0;
  // Members arrive through the evening (--seconds), so the failover falls in the middle of it.
  const start = performance.now();
  const gapMs = (seconds * 1000) / plan.length;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plan.length) {
        const i = next++;
        const p = plan[i];
        await sleep(Math.max(0, start + i * gapMs - performance.now()));
        if (await client.write(`/meetings/${p.meetingId}/check-in`, p.token, {})) checkIns.push(p);
        if (await client.write(`/motions/${p.motionId}/votes`, p.token, { choice: p.choice })) votes.push(p);
      }
    }),
  );
  return { checkIns, votes };
}

/**
 * Acknowledged check-ins missing from the roll, and votes missing from their motion's ballots
 * (open votes and secret participation, by member); each one printed with the answers it got.
 */
async function countLost(db: Db, client: Client, checkIns: Plan[], votes: Plan[]): Promise<number> {
  const present = await db.query<{ token: string }>(
    `select 'sdv_fo_' || member_id as token from meeting_attendance where checked_in_at is not null`,
  );
  const roll = new Set(present.map((r) => r.token));
  const cast = await db.query<{ key: string }>(
    `select motion_id || ' sdv_fo_' || member_id as key from votes
     union all select motion_id || ' sdv_fo_' || member_id from ballot_participation`,
  );
  const ballots = new Set(cast.map((r) => r.key));
  const lost = [
    ...checkIns.filter((c) => !roll.has(c.token)).map((c) => `/meetings/${c.meetingId}/check-in ${c.token}`),
    ...votes
      .filter((v) => !ballots.has(`${v.motionId} ${v.token}`))
      .map((v) => `/motions/${v.motionId}/votes ${v.token}`),
  ];
  for (const key of lost) console.error(`lost: ${key} answered ${client.history.get(key)?.join(', ')}`);
  return lost.length;
}

/** Chat check-ins not on the roll once the inbox has had a minute to process them all. */
async function waitForChatCheckIns(db: Db, memberIds: number[]): Promise<number> {
  let missing = memberIds.length;
  for (let i = 0; i < 600 && missing > 0; i++) {
    const [{ n }] = await db
      .query<{ n: number }>(
        `select count(*)::int as n from meeting_attendance where member_id = any($1) and checked_in_at is not null`,
        [memberIds],
      )
      .catch(() => [{ n: 0 }]);
    missing = memberIds.length - n;
    if (missing > 0) await sleep(100);
  }
  return missing;
}

/** Closes every motion through the API; true when each tally equals the acknowledged votes. */
async function closeAndCompare(client: Client, db: Db, votes: Plan[]): Promise<boolean> {
  const expected = new Map<number, Record<string, number>>();
  for (const v of votes) {
    const e = expected.get(v.motionId) ?? { for: 0, against: 0, abstain: 0 };
    e[v.choice]++;
    expected.set(v.motionId, e);
  }
  const motions = await db.query<{ motionId: number; cellId: number }>(
    `select mo.id as "motionId", mt.cell_id as "cellId" from motions mo join meetings mt on mt.id = mo.meeting_id`,
  );
  let exact = 0;
  for (const m of motions) {
    const res = await client.request('POST', `/motions/${m.motionId}/close?confirm=true`, `sdv_fo_s${m.cellId}`);
    const r = JSON.parse(res.body) as Record<string, number>;
    const e = expected.get(m.motionId) ?? { for: 0, against: 0, abstain: 0 };
    if (r.for === e.for && r.against === e.against && r.abstain === e.abstain) exact++;
  }
  return exact === motions.length;
}

async function findLeader(base: number): Promise<number> {
  for (const n of [1, 2]) {
    const res = await fetch(`http://127.0.0.1:${base + 10 + n}/primary`).catch(() => null);
    if (res?.status === 200) return n;
  }
  throw new Error('no leader');
}

/** An API client that retries as a phone does: after a 503 or a dropped connection, again. */
class Client {
  ok = 0;
  unavailable = 0;
  dropped = 0;
  /** Each write's answers in order ("503", "dropped", "200"), to explain a loss. */
  history = new Map<string, string[]>();
  #okTimes: number[] = [];
  #failTimes: number[] = [];
  #agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  constructor(private base: string) {}

  /** True when the write is acknowledged: 2xx, or 409 "already done" after an unanswered try. */
  async write(url: string, token: string, body: object): Promise<boolean> {
    let unanswered = false;
    const answers: string[] = [];
    this.history.set(`${url} ${token}`, answers);
    for (let attempt = 0; attempt < 400; attempt++) {
      const res = await this.request('POST', url, token, body).catch(() => null);
      answers.push(res ? `${res.status}${res.status >= 300 && res.status !== 503 ? ` ${res.body}` : ''}` : 'dropped');
      if (!res || res.status === 503) this.#failTimes.push(performance.now());
      if (!res) {
        this.dropped++;
        unanswered = true;
      } else if (res.status === 503) {
        this.unavailable++;
        unanswered = true;
      } else {
        if (res.status >= 200 && res.status < 300) {
          this.ok++;
          this.#okTimes.push(performance.now());
          return true;
        }
        if (res.status === 409 && unanswered) return true;
        throw new Error(`${url}: HTTP ${res.status} ${res.body}`);
      }
      await sleep(250);
    }
    throw new Error(`${url}: never answered`);
  }

  /** From `t` to the first acknowledged write after the last refused or dropped one. */
  outageAfter(t: number): number {
    const lastFailure = this.#failTimes.filter((x) => x > t).at(-1);
    if (lastFailure === undefined) return 0;
    return (this.#okTimes.find((x) => x > lastFailure) ?? Number.NaN) - t;
  }

  request(method: string, url: string, token: string, body?: object): Promise<{ status: number; body: string }> {
    const target = new URL(url, this.base);
    const payload = body ? JSON.stringify(body) : undefined;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method,
          agent: this.#agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runBench(main);
