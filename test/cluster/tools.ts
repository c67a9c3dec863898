/**
 * The Debian engines the cluster tests drive (Patroni, etcd, HAProxy, pgBackRest, PostgreSQL 15
 * with pgvector). Without them a test file reports one skipped test naming what is missing,
 * rather than failing on a developer's own computer; CI (.ci/run) installs them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, it } from 'vitest';

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

export function describeWithTools(name: string, tools: string[], body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) describe(name, body);
  else
    describe(name, () => {
      it.skip(`skipped: ${missing.join(', ')} not found — apt-get install -y ${tools.join(' ')} (CI does)`);
    });
}
