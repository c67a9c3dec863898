/**
 * Applies the numbered SQL files in ./migrations in order, each in its own transaction,
 * recording each in schema_migrations. Running it again applies nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.ts';
import type { Db } from './connect.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant: serialises concurrent starts against one PostgreSQL.
const MIGRATION_LOCK = 727_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 3)),
      name: f.replace(/\.sql$/, ''),
      sql: fs.readFileSync(path.join(dir, f), 'utf8'),
    }));
}

export async function migrate(db: Db): Promise<string[]> {
  if (db.kind === 'postgres') await assertExtensionsAvailable(db);
  await db.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now())`);
  const applied: string[] = [];
  for (const m of listMigrations()) {
    const done = await db.tx(async (sql) => {
      if (db.kind === 'postgres') await sql.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await sql.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (seen.length) return false;
      await sql.exec(m.sql);
      await sql.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

async function assertExtensionsAvailable(db: Db): Promise<void> {
  const rows = await db.query<{ name: string }>(
    `select name from pg_available_extensions where name in ('vector', 'unaccent', 'ltree')`,
  );
  const have = new Set(rows.map((r) => r.name));
  if (!have.has('vector')) {
    throw new AppError(
      'startup',
      'PostgreSQL thiếu extension "vector" (pgvector). Cài pgvector cho đúng phiên bản PostgreSQL của máy chủ ' +
        '(Debian/Ubuntu: `apt-get install postgresql-<phiên bản>-pgvector`, hoặc chạy ' +
        '`sudo bash .ci/install-pgvector.sh` ' +
        'để build từ mã nguồn), rồi khởi động lại. ' +
        'The PostgreSQL server lacks the pgvector extension; install it and restart.',
    );
  }
  for (const ext of ['unaccent', 'ltree']) {
    if (!have.has(ext)) {
      throw new AppError(
        'startup',
        `PostgreSQL thiếu extension "${ext}" (gói postgresql-contrib). Install PostgreSQL contrib and restart.`,
      );
    }
  }
}
