/**
 * The load side of bench:webhook, run as a separate process so the load does not share the
 * service's event loop: fires N Telegram updates at a URL with autocannon and prints one
 * JSON line with throughput and acknowledge latencies.
 */
import autocannon from 'autocannon';
import { benchArgs } from './args.ts';

const { url, updates, connections, secret, start } = benchArgs({
  url: '',
  updates: 20_000,
  connections: 50,
  secret: '',
  start: 1,
});

let next = start;
autocannon(
  {
    url,
    amount: updates,
    connections,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    requests: [
      {
        setupRequest: (req) => {
          const id = next++;
          const user = 10_000_000 + (id % 5000);
          req.body = JSON.stringify({
            update_id: id,
            message: {
              message_id: id,
              date: Math.floor(Date.now() / 1000),
              from: { id: user, is_bot: false, first_name: 'Bench' },
              chat: { id: user, type: 'private' },
              text: 'tro giup',
            },
          });
          return req;
        },
      },
    ],
  },
  (error, r) => {
    if (error) throw error;
    // Whole-run throughput: autocannon's per-second average is coarse on runs of a few seconds.
    const perS = r.requests.total / ((r.finish.getTime() - r.start.getTime()) / 1000);
    console.log(
      JSON.stringify({
        per_s: perS,
        total: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
      }),
    );
  },
);
