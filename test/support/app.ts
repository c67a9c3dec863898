import pino from 'pino';
import { buildServer, type App, type ServerOptions } from '../../api/server.ts';
import { readConfig } from '../../api/config.ts';
import type { Clock, Deps } from '../../api/context.ts';
import type { Db } from '../../api/db/connect.ts';

/** Use-case dependencies for tests: silent logs, a settable clock. */
export function testDeps(db: Db, clock: Clock = { now: () => new Date() }): Deps {
  return {
    db,
    clock,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    // Tests run at any hour on the real clock: no quiet hours unless a test sets them (quiet-hours.test.ts).
    config: { ...readConfig({}), dataDir: '/nonexistent', demo: false, quietHours: null },
    linkSecret: 'test-link-secret',
  };
}

/** The real HTTP app on a test database; call `app.inject()` or `app.listen()`. */
export async function buildTestApp(deps: Deps, options: ServerOptions = {}): Promise<App> {
  const app = await buildServer(deps, options);
  await app.ready();
  return app;
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private current: Date = new Date('2026-03-10T08:00:00+07:00')) {}
  now() {
    return new Date(this.current);
  }
  set(at: Date | string) {
    this.current = new Date(at);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}
