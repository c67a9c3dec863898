/**
 * The Debian engines the cluster tests drive (Patroni, etcd, HAProxy, pgBackRest, PostgreSQL 15
 * with pgvector). Without them a test file reports one skipped test naming what is missing,
 * rather than failing on a developer's own computer; CI (.ci/run) installs them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';

const has = (name: string) => {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** What is missing among `tools` (and root, which runs PostgreSQL as the postgres user). */
export function missingTools(tools: string[]): string[] {
  const missing = tools.filter((t) => !has(t));
  if (!fs.existsSync(`${PG_BIN}/postgres`)) missing.push('postgresql-15');
  if (!fs.existsSync('/usr/share/postgresql/15/extension/vector.control')) missing.push('postgresql-15-pgvector');
  if (process.getuid?.() !== 0) missing.push('root (PostgreSQL runs as the postgres user)');
  return missing;
}

/**
 * The clusters listen on fixed 127.0.0.1 ports, so two test runs on one machine at once (a
 * developer's and CI's) took each other's databases. One cluster test at a time, machine-wide:
 * a lock directory naming its holder, taken over when that process is gone.
 */
const LOCK = '/tmp/sotay-cluster-tests.lock';
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function takeLock(): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(`${LOCK}/pid`, String(process.pid));
      return;
    } catch {
      // No pid yet (being written, or the lock just went): look again shortly.
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(`${LOCK}/pid`, 'utf8'));
      } catch {}
      if (holder && !alive(holder)) fs.rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function describeWithTools(name: string, tools: string[], body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0)
    describe(name, () => {
      beforeAll(takeLock, 20 * 60_000);
      afterAll(() => fs.rmSync(LOCK, { recursive: true, force: true }));
      body();
    });
  else
    describe(name, () => {
      it.skip(`skipped: ${missing.join(', ')} not found — apt-get install -y ${tools.join(' ')} (CI does)`);
    });
}
