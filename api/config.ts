import path from 'node:path';
import { DEFAULT_PAID_BROADCAST_ROLES, parseSpendRules, type SpendRule } from './auth/roles.ts';

/** Service configuration, read once from the environment at start. */
export interface Config {
  port: number;
  host: string;
  /** `memory://`, `postgres://…`, or empty for the embedded PGlite under `dataDir`. */
  databaseUrl: string;
  dataDir: string;
  demo: boolean;
  publicUrl: string | null;
  logLevel: string;
  /** Secret for signing web-view and web-chat links; generated into the data dir when unset. */
  linkSecret: string | null;
  /** Who may publish with Telegram paid broadcast (PAID_BROADCAST_ROLES). */
  paidBroadcastRoles: SpendRule[];
  /** Fastify's `trustProxy` (TRUST_PROXY: `true`, or the proxies' addresses), for the client address behind a proxy. */
  trustProxy?: boolean | string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL ?? '',
    dataDir,
    demo: env.DEMO !== '0',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null,
    logLevel: env.LOG_LEVEL ?? 'info',
    linkSecret: env.LINK_SECRET ?? null,
    paidBroadcastRoles: parseSpendRules(env.PAID_BROADCAST_ROLES ?? DEFAULT_PAID_BROADCAST_ROLES),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}

function parseTrustProxy(value: string | undefined): boolean | string {
  if (!value || value === 'false' || value === '0') return false;
  return value === 'true' ? true : value;
}
