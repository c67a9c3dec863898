/**
 * Backups that are restored, not just taken: PostgreSQL 15 archiving its WAL to a local
 * pgBackRest repository (the configuration docs/deploy.md gives). A full backup, then units
 * written before a moment T and after it; a point-in-time restore to T into a fresh data folder
 * has every write committed before T and none after.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { connectPostgres, type Db } from '../../api/db/connect.ts';
import { migrate } from '../../api/db/migrate.ts';
import { describeWithTools, PG_BIN } from './tools.ts';

const PORT = 55600;
const RESTORED_PORT = 55601;

describeWithTools('pgBackRest: full backup, WAL archive, point-in-time restore', ['pgbackrest'], () => {
  const dir = fs.mkdtempSync('/tmp/sotay-pitr-');
  const conf = path.join(dir, 'pgbackrest.conf');
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', stdio: 'pipe' });
  const backrest = (...args: string[]) => asPostgres('pgbackrest', [`--config=${conf}`, '--stanza=sotay', ...args]);
  const started: string[] = [];
  let db: Db | undefined;

  afterAll(async () => {
    await db?.close().catch(() => {});
    for (const data of started) {
      try {
        asPostgres(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']);
      } catch {}
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function startPostgres(data: string, port: number) {
    asPostgres(`${PG_BIN}/pg_ctl`, ['-D', data, '-w', '-t', '120', '-l', `${data}.log`, '-o', `-p ${port}`, 'start']);
    started.push(data);
  }

  it('restores to a moment: the writes before it, none after', async () => {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:', dir]);
    const data = path.join(dir, 'data');
    asPostgres(`${PG_BIN}/initdb`, ['-D', data, '-A', 'trust', '-E', 'UTF8', '--locale', 'C.UTF-8']);
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'archive_mode = on',
        `archive_command = 'pgbackrest --config=${conf} --stanza=sotay archive-push %p'`,
        'max_wal_senders = 3',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      conf,
      [
        '[global]',
        `repo1-path=${dir}/repo`,
        'repo1-retention-full=2',
        `log-path=${dir}`,
        `lock-path=${dir}`,
        'log-level-console=warn',
        'start-fast=y',
        '',
        '[sotay]',
        `pg1-path=${data}`,
        `pg1-port=${PORT}`,
        `pg1-socket-path=${dir}`,
        '',
      ].join('\n'),
    );
    execFileSync('chown', ['postgres:', conf]);
    startPostgres(data, PORT);
    backrest('stanza-create');
    backrest('check');

    db = await connectPostgres(`postgres://postgres@127.0.0.1:${PORT}/postgres`, 4);
    await migrate(db);
    const addUnit = (name: string) =>
      db!.query(`insert into orgs (kind, name, path) values ('province', $1, '0') returning id`, [name]);
    await addUnit('Trước bản sao lưu');
    backrest('backup', '--type=full');
    // pgBackRest picks the backup by its stop time, kept to the second: the moment must be later.
    await new Promise((r) => setTimeout(r, 1500));

    for (let i = 0; i < 20; i++) await addUnit(`Trước thời điểm ${i}`);
    const [{ t }] = await db.query<{ t: string }>(
      `select to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US+00') as t`,
    );
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) await addUnit(`Sau thời điểm ${i}`);
    // The WAL holding the later writes reaches the repository (check switches and waits).
    backrest('check');
    await db.close();
    db = undefined;

    const restored = path.join(dir, 'restored');
    fs.mkdirSync(restored, { mode: 0o700 });
    execFileSync('chown', ['postgres:', restored]);
    backrest(
      'restore',
      `--pg1-path=${restored}`,
      '--type=time',
      `--target=${t}`,
      '--target-action=promote',
      // The restored copy must not push WAL into the original's archive.
      '--archive-mode=off',
    );
    startPostgres(restored, RESTORED_PORT);
    db = await connectPostgres(`postgres://postgres@127.0.0.1:${RESTORED_PORT}/postgres`, 2);
    let names: string[] = [];
    for (let i = 0; i < 100; i++) {
      try {
        names = (await db.query<{ name: string }>(`select name from orgs order by id`)).map((r) => r.name);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 300)); // still recovering
      }
    }
    expect(names).toEqual(['Trước bản sao lưu', ...Array.from({ length: 20 }, (_, i) => `Trước thời điểm ${i}`)]);
  }, 240_000);
});
