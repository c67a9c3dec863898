/**
 * The members' side of bench:evening (a separate process): each member taps "Điểm danh", then
 * her vote, as Telegram delivers a button press — a callback_query update POSTed to a service
 * instance's webhook with the secret header — waiting for the webhook's answer between her two
 * taps, `--concurrency` members at once. The webhook's response is where Telegram reads the
 * tap's answer (answerCallbackQuery): its time is the tap's acknowledgement. Writes every tap's
 * send time to `--out` and prints one JSON line.
 */
import fs from 'node:fs';
import http from 'node:http';
import { benchArgs, percentile } from './args.ts';

export interface EveningTap {
  updateId: number;
  callbackId: string;
  chat: number;
  data: string;
  /** The same update delivered again (Telegram's retry): stored and counted once. */
  redeliver?: boolean;
}

export interface EveningMember {
  /** Her taps in order (check-in, vote, maybe the vote again). */
  taps: EveningTap[];
}

const { urls, plan, concurrency, out, secret } = benchArgs({
  urls: '',
  plan: '',
  concurrency: 32,
  out: '',
  secret: '',
});
const members: EveningMember[] = JSON.parse(fs.readFileSync(plan, 'utf8'));
const targets = urls.split(',').map((u) => new URL(u));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });
const CHOICE_WORDS = /for|against|abstain|Tán thành|Không tán thành|Ý kiến khác/i;

const acks: number[] = [];
const sentAt: Record<number, number> = {};
let unanswered = 0;
let errors = 0;
let revealing = 0;

function post(target: URL, tap: EveningTap): Promise<void> {
  const payload = JSON.stringify({
    update_id: tap.updateId,
    callback_query: {
      id: tap.callbackId,
      from: { id: tap.chat, is_bot: false, first_name: 'Đảng viên' },
      chat_instance: String(tap.chat),
      data: tap.data,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: tap.chat, type: 'private' } },
    },
  });
  const t = performance.now();
  sentAt[tap.updateId] ??= Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: '/webhooks/telegram/telegram',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-telegram-bot-api-secret-token': secret,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          else {
            const call = JSON.parse(body) as { method?: string; callback_query_id?: string; text?: string };
            if (call.method === 'answerCallbackQuery' && call.callback_query_id === tap.callbackId && call.text) {
              acks.push(performance.now() - t);
              if (CHOICE_WORDS.test(call.text)) revealing++;
            } else unanswered++;
          }
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let next = 0;
const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async (_, lane) => {
    while (next < members.length) {
      const i = next++;
      const target = targets[(i + lane) % targets.length];
      for (const tap of members[i].taps) {
        await post(target, tap);
        // The retry goes to the other instance, as a load balancer may send it.
        if (tap.redeliver) await post(targets[(i + lane + 1) % targets.length], tap);
      }
    }
  }),
);
const finished = Date.now();
fs.writeFileSync(out, JSON.stringify(sentAt));
acks.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    posts: acks.length + unanswered + errors,
    started,
    finished,
    errors,
    unanswered,
    revealing,
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
  }),
);
