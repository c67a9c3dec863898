/**
 * `npm run admin -- --help` (and a mistyped option) prints how to use the command line, in
 * Vietnamese, and never a stack trace (issue 26).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-admin-help-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function admin(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'api/cli/admin.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', DATA_DIR: dir, LOG_LEVEL: 'warn' } },
    );
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('npm run admin -- --help', () => {
  it('prints the usage and exits 0, for --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out } = await admin(flag);
      expect({ flag, code }).toEqual({ flag, code: 0 });
      expect(out).toContain('npm run admin -- create-org --kind');
      expect(out).toContain('npm run admin -- token --org');
      expect(out).not.toMatch(/\n\s+at |TypeError|ERR_PARSE_ARGS/);
    }
    // Help needs no database: nothing was created in the data folder.
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('an unknown option says which, with the usage, and exits 1 without a stack trace', async () => {
    const { code, out } = await admin('orgs', '--colour');
    expect(code).toBe(1);
    expect(out).toContain('Không có tùy chọn --colour');
    expect(out).toContain('npm run admin -- orgs');
    expect(out).not.toMatch(/\n\s+at |ERR_PARSE_ARGS/);
  });
});
