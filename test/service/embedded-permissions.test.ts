/**
 * The embedded database's files are the owner's alone (issue 27, point 5): PGlite writes them
 * 0666, so any local user could read the WAL with members' data and token hashes. Every
 * process that opens the data folder makes it 0700 and its files 0600 — an existing folder
 * left open by an older version too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../api/db/open-database.ts';
import { migrate } from '../../api/db/migrate.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-perm-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every entry under `dir` whose mode lets anyone but the owner in: "mode path". */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const mode = fs.statSync(p).mode & 0o777;
    if (mode & 0o077) out.push(`${mode.toString(8)} ${path.relative(root, p)}`);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}

async function openWriteClose(dataDir: string) {
  const { db } = await openDatabase({ databaseUrl: '', dataDir }, 'service');
  await migrate(db);
  await db.query(`insert into service_settings (key, value) values ('perm-test', 'x') on conflict do nothing`);
  expect(openToOthers(dataDir)).toEqual([]);
  await db.close();
}

describe('the embedded database folder', () => {
  it('a new data folder is 0700 with its files 0600, while open and after', async () => {
    const dataDir = path.join(root, 'new');
    await openWriteClose(dataDir);
    expect(openToOthers(dataDir)).toEqual([]);
    expect(fs.statSync(path.join(dataDir, 'pglite')).mode & 0o777).toBe(0o700);
  }, 120_000);

  it('an existing folder left open to everyone is closed on start', async () => {
    const dataDir = path.join(root, 'old');
    await openWriteClose(dataDir);
    // As an older version left it: every folder 0777, every file 0666.
    const loosen = (p: string) => {
      const dir = fs.statSync(p).isDirectory();
      fs.chmodSync(p, dir ? 0o777 : 0o666);
      if (dir) for (const e of fs.readdirSync(p)) loosen(path.join(p, e));
    };
    loosen(dataDir);
    expect(openToOthers(dataDir).length).toBeGreaterThan(100);
    await openWriteClose(dataDir);
    expect(openToOthers(dataDir)).toEqual([]);
  }, 120_000);
});
