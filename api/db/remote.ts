/**
 * SQL through the running service, for command-line tools while the service holds the
 * embedded database (api/db/open-database.ts). The service runs each statement in its own
 * PGlite — a transaction of the tool holds PGlite's transaction lock from `begin` to
 * `commit` like any of the service's own — so the tool's writes are the service's writes.
 * Only callers that can read the lock file (its secret, mode 0600) from this machine get in.
 *
 * Why not @electric-sql/pglite-socket: its server queues single protocol messages from all
 * connections into the one PGlite session, so two clients' unnamed statements and
 * transactions interleave, and it does not take the lock the service's own transactions use.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Sql } from './connect.ts';

export const LOCAL_DB_PATH = '/_local/db';
/** The embedded database's backup (`npm run admin -- backup`), made by the service that holds it. */
export const LOCAL_DUMP_PATH = '/_local/db/dump';
const TX_IDLE_MS = 30_000;

type Op =
  | { op: 'query'; text: string; params?: unknown[]; tx?: string }
  | { op: 'exec'; text: string; tx?: string }
  | { op: 'begin' }
  | { op: 'commit' | 'rollback'; tx: string };

// Dates and bytes survive the trip as tagged values.
function replacer(this: Record<string, unknown>, key: string, value: unknown) {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
  return value;
}
function reviver(_key: string, value: unknown) {
  if (value && typeof value === 'object') {
    const v = value as { $date?: string; $bytes?: string };
    if (typeof v.$date === 'string' && Object.keys(v).length === 1) return new Date(v.$date);
    if (typeof v.$bytes === 'string' && Object.keys(v).length === 1) return Buffer.from(v.$bytes, 'base64');
  }
  return value;
}
const encode = (v: unknown) => JSON.stringify(v, replacer);
const decode = (s: string) => JSON.parse(s, reviver);

/** A Db whose statements run in the service at `baseUrl`. */
export async function connectRemote(baseUrl: string, secret: string): Promise<Db> {
  const call = async (body: Op): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${LOCAL_DB_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-local-secret': secret },
      body: encode(body),
    });
    const out = decode(await res.text()) as { rows?: unknown[]; tx?: string; error?: string; code?: string };
    if (!res.ok) throw Object.assign(new Error(out.error ?? `HTTP ${res.status}`), { code: out.code });
    return out;
  };
  const sqlFor = (tx?: string): Sql => ({
    async query<T>(text: string, params?: readonly unknown[]) {
      return ((await call({ op: 'query', text, params: params as unknown[], tx })) as { rows: T[] }).rows;
    },
    async exec(text: string) {
      await call({ op: 'exec', text, tx });
    },
  });
  await call({ op: 'query', text: 'select 1' });
  return {
    kind: 'pglite',
    ...sqlFor(),
    relaxed: sqlFor(),
    async tx(fn) {
      const { tx } = (await call({ op: 'begin' })) as { tx: string };
      try {
        const result = await fn(sqlFor(tx));
        await call({ op: 'commit', tx });
        return result;
      } catch (e) {
        await call({ op: 'rollback', tx }).catch(() => {});
        throw e;
      }
    },
    async dump() {
      const res = await fetch(`${baseUrl}${LOCAL_DUMP_PATH}`, {
        method: 'POST',
        headers: { 'x-local-secret': secret },
      });
      if (!res.ok) throw new Error(`backup failed: HTTP ${res.status} ${await res.text()}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    async close() {},
  };
}

class Rollback extends Error {}

/** The service's side: registered only while it owns the embedded database. */
export function localDbRoutes(db: Db, secret: string): FastifyPluginAsync {
  const sessions = new Map<string, { run: (op: Op) => Promise<unknown> }>();

  function begin(): Promise<string> {
    return new Promise((started, failed) => {
      const id = crypto.randomBytes(12).toString('hex');
      const queue: { op: Op; done: (v: unknown) => void; fail: (e: unknown) => void }[] = [];
      let notify: (() => void) | undefined;
      sessions.set(id, {
        run: (op) =>
          new Promise((done, fail) => {
            queue.push({ op, done, fail });
            notify?.();
          }),
      });
      db.tx(async (sql) => {
        started(id);
        for (;;) {
          if (queue.length === 0) {
            const idle = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(true), TX_IDLE_MS);
              notify = () => {
                clearTimeout(timer);
                resolve(false);
              };
            });
            notify = undefined;
            if (idle) throw new Rollback('idle transaction rolled back');
            continue;
          }
          const { op, done, fail } = queue.shift()!;
          if (op.op === 'commit') return done;
          if (op.op === 'rollback') {
            done({});
            throw new Rollback();
          }
          try {
            done(await runOn(sql, op));
          } catch (e) {
            fail(e);
            // PostgreSQL aborts the transaction on an error: so do we.
            throw new Rollback();
          }
        }
      })
        .then((done) => done({}))
        .catch((e) => {
          if (!(e instanceof Rollback)) failed(e);
        })
        .finally(() => sessions.delete(id));
    });
  }

  return async (app) => {
    // Checked before the body is read, on the socket's own address: X-Forwarded-For (trusted
    // behind a proxy) must not make a remote caller look local.
    const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
      const given = request.headers['x-local-secret'];
      const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.socket.remoteAddress ?? '');
      const ok =
        loopback &&
        typeof given === 'string' &&
        given.length === secret.length &&
        crypto.timingSafeEqual(Buffer.from(given), Buffer.from(secret));
      if (!ok) return reply.status(401).send({ error: 'unauthorized' });
    };
    app.post(
      LOCAL_DB_PATH,
      // A document the command line ingests travels as statements: a 1.3 MB file's chunks and
      // vectors are a few MB. Only a caller holding the secret gets this far (onRequest).
      { schema: { hide: true }, bodyLimit: 64 * 1024 * 1024, config: { authenticatesItself: true }, onRequest },
      async (request, reply) => {
        const op = decode(JSON.stringify(request.body)) as Op;
        try {
          let result: unknown;
          if (op.op === 'begin') result = { tx: await begin() };
          else if ('tx' in op && op.tx) {
            const session = sessions.get(op.tx);
            if (!session) return reply.status(409).send({ error: 'transaction is over' });
            result = await session.run(op);
          } else result = await runOn(db, op);
          return reply.header('content-type', 'application/json').send(encode(result));
        } catch (e) {
          const err = e as { message?: string; code?: string };
          return reply.status(400).send({ error: err.message ?? 'error', code: err.code });
        }
      },
    );
    app.post(
      LOCAL_DUMP_PATH,
      { schema: { hide: true }, config: { authenticatesItself: true }, onRequest },
      async (_request, reply) => {
        if (!db.dump) return reply.status(400).send({ error: 'this database has no embedded backup' });
        const tar = await db.dump();
        return reply.header('content-type', 'application/gzip').send(Buffer.from(tar));
      },
    );
  };
}

async function runOn(sql: Sql, op: Op): Promise<unknown> {
  if (op.op === 'query') return { rows: await sql.query(op.text, op.params) };
  if (op.op === 'exec') {
    await sql.exec(op.text);
    return {};
  }
  throw new Error(`unexpected ${op.op}`);
}
