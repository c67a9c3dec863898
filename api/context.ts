import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every use case may depend on. Features add their own optional services here. */
export interface Deps {
  db: Db;
  clock: Clock;
  log: Logger;
  config: Config;
  /** HMAC key for signed links (web views, web-chat sign-in). */
  linkSecret: string;
}
