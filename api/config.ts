import path from 'node:path';
import { DEFAULT_PAID_BROADCAST_ROLES, parseSpendRules, type SpendRule } from './auth/roles.ts';
import { API_TOKEN_PREFIX } from './auth/tokens.ts';
import { AppError } from './errors.ts';

/** Service configuration, read once from the environment at start. */
export interface Config {
  port: number;
  /** The address to listen on: loopback unless HOST says otherwise (a reverse proxy on the machine). */
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
  /**
   * Fastify's `trustProxy`, for the client address behind a reverse proxy (TRUST_PROXY): false;
   * a number of proxy hops (`true` is one: the proxy in front, whose own entry at the end of
   * X-Forwarded-For is the client); or the proxies' addresses and subnets.
   */
  trustProxy?: boolean | number | string;
  /** METRICS_TOKEN: the bearer token Prometheus sends for /metrics; without it /metrics is off. */
  metricsToken?: string | null;
  /**
   * QUIET_HOURS, Vietnam time ("21:30-06:30", the default; "off" for none): reminders and notices
   * are not pushed to phones then, unless urgent (paid broadcast); they go when the hours end.
   */
  quietHours?: QuietHours | null;
}

/** A nightly span of Vietnam wall-clock minutes, [start, end) crossing midnight when start > end. */
export interface QuietHours {
  start: number;
  end: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? '',
    dataDir,
    demo: env.DEMO !== '0',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null,
    logLevel: env.LOG_LEVEL ?? 'info',
    linkSecret: env.LINK_SECRET ?? null,
    paidBroadcastRoles: parseSpendRules(env.PAID_BROADCAST_ROLES ?? DEFAULT_PAID_BROADCAST_ROLES),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    metricsToken: parseMetricsToken(env.METRICS_TOKEN),
    quietHours: parseQuietHours(env.QUIET_HOURS ?? DEFAULT_QUIET_HOURS),
  };
}

export const DEFAULT_QUIET_HOURS = '21:30-06:30';

/** "21:30-06:30" → minutes of the day; "off" (or "") → none. */
export function parseQuietHours(value: string): QuietHours | null {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'off' || v === '0' || v === 'none') return null;
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(v);
  const [h1, m1, h2, m2] = m ? m.slice(1).map(Number) : [];
  if (!m || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || h1 * 60 + m1 === h2 * 60 + m2) {
    throw new AppError(
      'startup',
      `QUIET_HOURS phải có dạng giờ:phút-giờ:phút theo giờ Việt Nam (ví dụ ${DEFAULT_QUIET_HOURS}), hoặc "off".`,
    );
  }
  return { start: h1 * 60 + m1, end: h2 * 60 + m2 };
}

/** At least 32 characters, and not shaped like an API token (those are looked up as such). */
function parseMetricsToken(value: string | undefined): string | null {
  if (!value) return null;
  if (value.length < 32 || value.startsWith(API_TOKEN_PREFIX) || /\s/.test(value)) {
    throw new AppError(
      'startup',
      `METRICS_TOKEN phải dài ít nhất 32 ký tự, không có khoảng trắng và không bắt đầu bằng "${API_TOKEN_PREFIX}" ` +
        '(ví dụ: openssl rand -hex 32).',
    );
  }
  return value;
}

/**
 * Never Fastify's `true` (every hop trusted): the client address would be the first entry of
 * X-Forwarded-For, which the client writes itself, and a throttle keyed on it could be
 * dodged by rotating the header. `true` trusts one hop — the proxy the service sits behind.
 */
function parseTrustProxy(value: string | undefined): number | string | false {
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true') return 1;
  return /^\d+$/.test(value) ? Number(value) : value;
}
