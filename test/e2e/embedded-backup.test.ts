/**
 * The embedded database's backup and restore, as the README tells an owner to run them:
 * `npm run admin -- backup <file>` while `npm start` runs and members keep writing, then
 * `npm run admin -- restore <file>` into an empty data folder, and the service started on it
 * has every write acknowledged before the backup began and nothing written after it ended.
 * A restore never touches a folder that holds data, and a file that is no backup is refused.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/spawn-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-backup-'));
const liveDir = path.join(work, 'live');
const restoredDir = path.join(work, 'restored');
const backupFile = path.join(work, 'sotay.tar.gz');
const services: RunningService[] = [];

afterAll(async () => {
  for (const s of services) await s.stop('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

function admin(args: string[], dataDir: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/cli/admin.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', DATA_DIR: dataDir, DEMO: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function start(dataDir: string) {
  const s = await startService({ DATABASE_URL: '', DATA_DIR: dataDir, DEMO: '0' }, /Web chat:/, 180_000);
  services.push(s);
  return s;
}

describe('embedded backup and restore', () => {
  let token: string;
  let provinceId: number;
  const acknowledgedBefore: string[] = [];
  const acknowledgedAfter: string[] = [];

  it('backs up while the service runs and members write, without stopping it', async () => {
    const service = await start(liveDir);
    const created = await admin(['create-org', '--kind', 'province', '--name', 'Đảng bộ tỉnh Sao Lưu'], liveDir);
    expect(created.code).toBe(0);
    provinceId = JSON.parse(created.out.trim().split('\n').at(-1)!).id;
    const minted = await admin(['token', '--org', String(provinceId)], liveDir);
    token = /(sdv_\S+)/.exec(minted.out)![1];

    const addDistrict = async (name: string) => {
      const res = await fetch(`${service.baseUrl}/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ parentId: provinceId, kind: 'district', name }),
      });
      return res.status;
    };
    for (let i = 0; i < 5; i++) {
      const name = `Huyện trước ${i}`;
      expect(await addDistrict(name)).toBe(201);
      acknowledgedBefore.push(name);
    }
    // Writes keep coming while the backup is taken; all of them are answered.
    let writing = true;
    const during = (async () => {
      const statuses: number[] = [];
      for (let i = 0; writing; i++) statuses.push(await addDistrict(`Huyện trong lúc ${i}`).catch(() => 0));
      return statuses;
    })();
    const backup = await admin(['backup', backupFile], liveDir);
    writing = false;
    expect(backup.out).toMatch(/Đã sao lưu vào/);
    expect(backup.code).toBe(0);
    expect((await during).every((s) => s === 201)).toBe(true);
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);

    for (let i = 0; i < 3; i++) {
      const name = `Huyện sau ${i}`;
      expect(await addDistrict(name)).toBe(201);
      acknowledgedAfter.push(name);
    }
    expect((await fetch(`${service.baseUrl}/health/ready`)).status).toBe(200);
    // A second backup to the same file would overwrite it: refused.
    const again = await admin(['backup', backupFile], liveDir);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/đã có/);
  }, 240_000);

  it('restores into an empty folder only, refuses a file that is no backup; the restored data is there', async () => {
    const notBackup = path.join(work, 'notes.txt');
    fs.writeFileSync(notBackup, 'không phải bản sao lưu');
    const refused = await admin(['restore', notBackup], restoredDir);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/không phải bản sao lưu/);
    expect(fs.existsSync(restoredDir) ? fs.readdirSync(restoredDir) : []).toEqual([]);

    // The running service's folder holds data: a restore there changes nothing.
    const listing = fs.readdirSync(path.join(liveDir, 'pglite')).sort();
    const overLive = await admin(['restore', backupFile], liveDir);
    expect(overLive.code).toBe(1);
    expect(overLive.out).toMatch(/không trống/);
    expect(fs.readdirSync(path.join(liveDir, 'pglite')).sort()).toEqual(listing);

    const restored = await admin(['restore', backupFile], restoredDir);
    expect(restored.out).toMatch(/Đã khôi phục/);
    expect(restored.code).toBe(0);

    const service = await start(restoredDir);
    const res = await fetch(`${service.baseUrl}/orgs/${provinceId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const names = JSON.stringify(await res.json());
    expect(res.status).toBe(200);
    for (const name of acknowledgedBefore) expect(names).toContain(name);
    for (const name of acknowledgedAfter) expect(names).not.toContain(name);
  }, 240_000);
});
