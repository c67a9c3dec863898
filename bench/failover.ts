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
import { findOrg } from '../api/orgs/repository.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { makeLinkedMembersInBulk } from '../test/factories/index.ts';
import { freePort, startService } from '../test/support/spawn-service.ts';
import { encodeAction } from '../bot/core/actions.ts';
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
  memberId: number;
  meetingId: number;
  motionId: number;
  choice: 'for' | 'against' | 'abstain';
}

interface ChatPlan {
  chatId: number;
  memberId: number;
  motionId: number;
  choice: 'for' | 'against' | 'abstain';
}

/** One acknowledged write: whose, which ballot and choice, and the key of the answers it got. */
interface Ack {
  memberId: number;
  motionId: number;
  choice: 'for' | 'against' | 'abstain';
  key: string;
}

/** Telegram ids of the broadcast's recipients, from here on. */
const FIRST_CHAT = 880_001;

async function main() {
  const dir = (await run('mktemp', ['-d', '/tmp/sotay-failover.XXXXXX'])).stdout.trim();
  const env = { ...process.env, BASE_PORT: String(basePort) };
  let db: Db | undefined;
  let serviceOutput = () => '';
  let stopService = async () => {};
  try {
    const up = await run('bash', [path.join(ROOT, 'deploy/cluster/up.sh'), dir], { env, maxBuffer: 1 << 24 });
    const url = /DATABASE_URL=(\S+)/.exec(up.stdout)![1];
    db = await connectPostgres(url, 16);
    await migrate(db);
    await generate(db);
    const plan = await db.query<Plan>(
      `select 'sdv_fo_' || m.id as token, m.id as "memberId", mt.id as "meetingId", mo.id as "motionId",
              (array['for','for','for','against','abstain'])[1 + m.id % 5] as choice
         from members m join meetings mt on mt.cell_id = m.cell_id join motions mo on mo.meeting_id = mt.id
        order by random()`,
    );
    // The broadcast's recipients are Telegram members of the first two cells (an open and a
    // secret ballot), who also check in and vote there by tapping buttons.
    const half = Math.floor(recipients / 2);
    const chatCells = [(await findOrg(db, 3))!, (await findOrg(db, 4))!];
    const recipientIds = [
      ...(await makeLinkedMembersInBulk(db, chatCells[0], half, FIRST_CHAT)),
      ...(await makeLinkedMembersInBulk(db, chatCells[1], recipients - half, FIRST_CHAT + half)),
    ];
    const chatPlan = await db.query<ChatPlan>(
      `select ca.chat_id::bigint::int as "chatId", m.id as "memberId", mo.id as "motionId",
              (array['for','for','against','abstain','for'])[1 + m.id % 5] as choice
         from chat_accounts ca join members m on m.id = ca.member_id
         join meetings mt on mt.cell_id = m.cell_id join motions mo on mo.meeting_id = mt.id
        where m.id = any($1) order by random()`,
      [recipientIds],
    );

    // The service as `npm start` runs it behind a public address (API, Telegram webhook, chat
    // inbox, outbox worker with LISTEN, scheduler), its Telegram a local fake; it must outlive
    // the failover.
    const telegram = await new FakeTelegram([TG]).start();
    const port = await freePort();
    const service = await startService(
      {
        DATABASE_URL: url,
        DEMO: '0',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_BOT_TOKEN: TG,
        TELEGRAM_API_ROOT: telegram.root,
        OUTBOX_TELEGRAM_RATE: '30',
        LOG_LEVEL: process.env.FAILOVER_SERVICE_LOG_LEVEL ?? 'error',
      },
      /Web chat:/,
      120_000,
    );
    serviceOutput = service.output;
    stopService = async () => {
      await service.stop();
    };
    for (let i = 0; i < 200 && !telegram.webhookOf(TG); i++) await sleep(50);
    if (!telegram.webhookOf(TG)) throw new Error('the service registered no Telegram webhook');
    await enqueueForMembers(db, recipientIds, { text: 'Thông báo khẩn của chi bộ' }, { kind: 'failover-bench' });

    // PORT is ours (the webhook's address needs it before start), not the one startService picked.
    const client = new Client(`http://127.0.0.1:${port}`);
    const chat = new Chat(telegram);
    const leader = await findLeader(basePort);
    let killedAt = 0;
    const killer = (async () => {
      // A few seconds into the evening, with the broadcast and the taps well under way.
      while (client.ok < plan.length / 4 || chat.ok < chatPlan.length / 2 || telegram.sent.length < recipients / 4)
        await sleep(50);
      // Only a synchronous standby has every acknowledged commit (and only it may be promoted).
      const standby = await standbyRole(basePort, leader);
      // Patroni and its PostgreSQL together, as when the leader's machine dies.
      await run('bash', [path.join(ROOT, 'deploy/cluster/kill-node.sh'), dir, String(leader)]);
      killedAt = performance.now();
      console.log(
        `killed node${leader} (the leader; the standby was ${standby}) after ${client.ok} API writes ` +
          `and ${chat.ok} taps acknowledged`,
      );
    })();
    const [acknowledged, taps] = await Promise.all([drive(client, plan), tapThrough(chat, chatPlan)]);
    await killer;
    if (service.child.exitCode !== null) throw new Error(`the service died:\n${service.output().slice(-3000)}`);

    // Every stored tap processed, every message sent (a lapsed lease is up to a minute).
    const pending = async () => {
      const [r] = await db!.query<{ n: number }>(
        `select (select count(*) from inbound_updates where processed_at is null)
              + (select count(*) from outbox_messages where status in ('queued', 'sending'))::int as n`,
      );
      return r.n;
    };
    for (let i = 0; i < 1800 && (await pending().catch(() => 1)) > 0; i++) await sleep(100);

    const unavailable = client.outageAfter(killedAt);
    const lost = await countLost(
      db,
      client,
      chat,
      [...acknowledged.checkIns, ...taps.checkIns],
      [...acknowledged.votes, ...taps.votes],
    );
    // Counted before the close, whose results are messages of their own.
    const messages = await countMessages(db, telegram, recipients);
    const exact = await closeAndCompare(client, db, [...acknowledged.votes, ...taps.votes]);
    if (service.child.exitCode !== null) throw new Error(`the service died:\n${service.output().slice(-3000)}`);
    await service.stop();
    await telegram.close();
    console.log(
      `API: ${acknowledged.checkIns.length} check-ins and ${acknowledged.votes.length} votes acknowledged, ` +
        `503 answers ${client.unavailable}, connection errors ${client.dropped}; ` +
        `chat: ${taps.checkIns.length} check-in and ${taps.votes.length} vote taps stored, ` +
        `${chat.refused} webhook calls refused (Telegram re-sent them); ` +
        `messages: ${messages.sent} sent of ${messages.rows}, ${messages.unsent} not sent, ` +
        `notice to ${messages.noticeChats}/${recipients} chats, ${messages.duplicates} duplicate(s)`,
    );
    console.log(
      JSON.stringify({
        bench: 'failover',
        acknowledged:
          acknowledged.checkIns.length + acknowledged.votes.length + taps.checkIns.length + taps.votes.length,
        lost: lost + messages.unsent + (recipients - messages.noticeChats),
        duplicates: messages.duplicates,
        unavailable_s: round(unavailable / 1000, 1),
        tallies_exact: exact ? 1 : 0,
      }),
    );
  } finally {
    await stopService();
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

/**
 * Runs `step` for each of the plan's members on `workers` concurrent loops, the i-th not before
 * i × (--seconds / members) into the evening: members arrive through it, so the failover falls in
 * the middle.
 */
async function paced<P>(plan: P[], workers: number, step: (p: P) => Promise<void>) {
  let next = 0;
  const start = performance.now();
  const gapMs = (seconds * 1000) / plan.length;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < plan.length) {
        const i = next++;
        await sleep(Math.max(0, start + i * gapMs - performance.now()));
        await step(plan[i]);
      }
    }),
  );
}

/** Every member checks in, then votes; each request retried until it is answered for good. */
async function drive(client: Client, plan: Plan[]) {
  const checkIns: Ack[] = [];
  const votes: Ack[] = [];
  await paced(plan, concurrency, async (p) => {
    const checkIn = `/meetings/${p.meetingId}/check-in`;
    if (await client.write(checkIn, p.token, {})) checkIns.push({ ...p, key: `${checkIn} ${p.token}` });
    const vote = `/motions/${p.motionId}/votes`;
    if (await client.write(vote, p.token, { choice: p.choice })) votes.push({ ...p, key: `${vote} ${p.token}` });
  });
  return { checkIns, votes };
}

/**
 * Telegram members tap "Điểm danh", then their choice, through the evening: each tap is
 * acknowledged when the webhook answers 200 (stored), as Telegram counts it; until then
 * Telegram delivers the same update again.
 */
async function tapThrough(chat: Chat, plan: ChatPlan[]) {
  const checkIns: Ack[] = [];
  const votes: Ack[] = [];
  await paced(plan, Math.max(1, concurrency / 2), async (p) => {
    const checkIn = `tap check-in ${p.chatId}`;
    await chat.tap(checkIn, p.chatId, encodeAction({ kind: 'menu', item: 'checkin' }));
    checkIns.push({ ...p, key: checkIn });
    const vote = `tap vote ${p.chatId}`;
    await chat.tap(vote, p.chatId, encodeAction({ kind: 'vote', motionId: p.motionId, choice: p.choice }));
    votes.push({ ...p, key: vote });
  });
  return { checkIns, votes };
}

/**
 * Acknowledged check-ins missing from the roll, and votes missing from their motion's ballots
 * (open votes and secret participation, by member); each one printed with the answers it got.
 */
async function countLost(db: Db, client: Client, chat: Chat, checkIns: Ack[], votes: Ack[]): Promise<number> {
  const present = await db.query<{ member: number }>(
    `select member_id as member from meeting_attendance where checked_in_at is not null`,
  );
  const roll = new Set(present.map((r) => r.member));
  const cast = await db.query<{ key: string }>(
    `select motion_id || ' ' || member_id as key from votes
     union all select motion_id || ' ' || member_id from ballot_participation`,
  );
  const ballots = new Set(cast.map((r) => r.key));
  const lost = [
    ...checkIns.filter((c) => !roll.has(c.memberId)).map((c) => c.key),
    ...votes.filter((v) => !ballots.has(`${v.motionId} ${v.memberId}`)).map((v) => v.key),
  ];
  for (const key of lost)
    console.error(`lost: ${key} answered ${(client.history.get(key) ?? chat.history.get(key))?.join(', ')}`);
  return lost.length;
}

/**
 * The messages to the recipients' chats: the outbox rows (notice and replies) not sent, and
 * how many more messages Telegram received than rows were sent (duplicates).
 */
async function countMessages(db: Db, telegram: FakeTelegram, recipients: number) {
  const chats = new Set(Array.from({ length: recipients }, (_, i) => String(FIRST_CHAT + i)));
  const [r] = await db.query<{ rows: number; sent: number }>(
    `select count(*)::int as rows, (count(*) filter (where status = 'sent'))::int as sent
       from outbox_messages where chat_id = any($1)`,
    [[...chats]],
  );
  const unsent = await db.query<{ status: string; kind: string; error: string | null; text: string; n: number }>(
    `select status, kind, last_error as error, left(payload->>'text', 60) as text, count(*)::int as n
       from outbox_messages where chat_id = any($1) and status <> 'sent' group by 1, 2, 3, 4`,
    [[...chats]],
  );
  for (const u of unsent) console.error(`not sent: ${u.n} × ${u.status} ${u.kind} (${u.error}) "${u.text}"`);
  const received = telegram.sent.filter((m) => chats.has(m.chatId));
  const noticeChats = new Set(received.filter((m) => m.text?.includes('Thông báo khẩn')).map((m) => m.chatId)).size;
  const notices = received.filter((m) => m.text?.includes('Thông báo khẩn')).length;
  console.error(
    `duplicates: ${notices - noticeChats} of the notice, ${received.length - r.sent - notices + noticeChats} replies`,
  );
  return { ...r, unsent: r.rows - r.sent, duplicates: received.length - r.sent, noticeChats };
}

/** Closes every motion through the API; true when each tally equals the acknowledged votes. */
async function closeAndCompare(client: Client, db: Db, votes: Ack[]): Promise<boolean> {
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

/** The other node's role as the leader's Patroni reports it (`sync_standby` when synchronous). */
async function standbyRole(base: number, leader: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${base + 10 + leader}/cluster`).catch(() => null);
  const cluster = (await res?.json().catch(() => null)) as { members?: { name: string; role: string }[] } | null;
  return cluster?.members?.find((m) => m.name !== `node${leader}`)?.role ?? 'unknown';
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
    throw new Error(`${url}: never answered (${answers.slice(-3).join(', ')})`);
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

/** Telegram delivering taps to the service's webhook, and again after anything but a 200. */
class Chat {
  ok = 0;
  refused = 0;
  /** Each tap's deliveries in order ("503", "dropped", "200"). */
  history = new Map<string, string[]>();
  constructor(private telegram: FakeTelegram) {}

  async tap(key: string, fromId: number, data: string): Promise<void> {
    const update = this.telegram.callbackUpdate({ fromId, data });
    const answers: string[] = [];
    this.history.set(key, answers);
    for (let attempt = 0; attempt < 400; attempt++) {
      const status = await this.telegram.deliverWebhook(TG, update).catch(() => 0);
      answers.push(status ? String(status) : 'dropped');
      if (status === 200) {
        this.ok++;
        return;
      }
      if (status !== 0 && status !== 503) throw new Error(`${key}: webhook answered ${status}`);
      this.refused++;
      await sleep(250);
    }
    throw new Error(`${key}: never stored`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runBench(main);
