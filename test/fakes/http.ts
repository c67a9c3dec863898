/**
 * Shared plumbing for the fake platform servers: a node:http server on 127.0.0.1 that
 * parses JSON, urlencoded and multipart bodies the way the real Bot APIs accept them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Params = Record<string, unknown>;
export type Handler = (path: string, params: Params) => Promise<{ status: number; body: unknown }>;

export async function startFakeServer(handler: Handler): Promise<{ server: http.Server; root: string }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    let params: Params = Object.fromEntries(url.searchParams);
    try {
      params = { ...params, ...(await parseBody(raw, String(req.headers['content-type'] ?? ''))) };
    } catch {
      return reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid body' });
    }
    const out = await handler(url.pathname, params);
    reply(res, out.status, out.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, root: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function parseBody(raw: Buffer, type: string): Promise<Params> {
  if (raw.length === 0) return {};
  if (type.includes('application/json')) return JSON.parse(raw.toString('utf8'));
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  if (type.includes('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
    const out: Params = {};
    for (const [k, v] of form.entries())
      out[k] =
        typeof v === 'string'
          ? v
          : { file: true, size: (v as Blob).size, bytes: Buffer.from(await (v as Blob).arrayBuffer()) };
    return out;
  }
  return {};
}

function reply(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** JSON values arrive as strings in form bodies ("reply_markup", numbers). */
export function asJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
