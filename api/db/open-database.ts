/**
 * Opens the database for a process, sharing the embedded one safely.
 *
 * PostgreSQL (`postgres://…`) is shared by nature. The embedded PGlite lives in one data
 * folder that only one process may open: the service takes a lock file beside it
 * (`<folder>.lock`: pid, its local address and a secret), and while it runs, the command-line
 * tools (`npm run admin`, `npm run ingest`, the outbox worker) do their SQL through it
 * (api/db/remote.ts) — in the service's own PGlite, under its transaction lock, so nothing
 * they write is lost or interleaved. With no service running a tool opens the folder itself
 * under the same lock; a second process that would open it refuses with one line.
 *
 * The folder holds members' data and token hashes: it is the owner's alone (folders 0700,
 * files 0600). PGlite's initdb writes its files world-readable and writable (0666, whatever
 * the umask), so every process that opens the folder restricts it — before (an existing
 * folder), after opening (a new one, and the files PostgreSQL writes at start) and at close.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { connectPglite, connectPostgres, type Db } from './connect.ts';
import { connectRemote } from './remote.ts';

export interface OpenedDatabase {
  db: Db;
  /** postgres:// URL for LISTEN/NOTIFY wake-ups, when the database is a server. */
  listenUrl: string | null;
  /** Embedded and owned by this process: tell other processes where to reach it. */
  advertise?: (baseUrl: string, secret: string) => void;
}

interface LockContent {
  pid: number;
  url?: string;
  secret?: string;
}

export function embeddedDir(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string | null {
  const url = config.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url) || url === 'memory://') return null;
  if (url && !url.startsWith('file://'))
    throw new AppError('startup', 'DATABASE_URL không hợp lệ: dùng postgres://…, memory:// hoặc để trống.');
  return url.startsWith('file://') ? url.slice('file://'.length) : path.join(config.dataDir, 'pglite');
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  role: 'service' | 'client',
  /** Restore: a backup unpacked into the (empty) embedded folder before it opens. */
  load?: Blob,
): Promise<OpenedDatabase> {
  const url = config.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) return { db: await connectPostgres(url), listenUrl: url };
  const dir = embeddedDir(config);
  if (!dir) return { db: await connectPglite(null), listenUrl: null };

  const lockPath = `${path.resolve(dir)}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const holder = readLock(lockPath);
    if (holder?.pid === 0 && attempt < 50) {
      await new Promise((r) => setTimeout(r, 100)); // being written this instant
      continue;
    }
    if (holder && alive(holder.pid) && holder.pid !== process.pid) {
      if (role === 'client' && holder.url && holder.secret) {
        return { db: await connectRemote(holder.url, holder.secret), listenUrl: null };
      }
      // A service that is still starting writes its address in a moment.
      if (role === 'client' && attempt < 50) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      throw new AppError('startup', inUse(dir, holder.pid));
    }
    if (holder) fs.rmSync(lockPath, { force: true }); // left by a process that died
    try {
      fs.writeFileSync(lockPath, JSON.stringify({ pid: process.pid } satisfies LockContent), {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 50) continue;
      throw e;
    }
    break;
  }
  const release = () => {
    if (readLock(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
  };
  process.once('exit', release);
  const ownDataDir = dir === path.join(config.dataDir, 'pglite') ? config.dataDir : null;
  restrictToOwner(dir, ownDataDir);
  const pglite = await connectPglite(dir, load).catch((e) => {
    release();
    throw e;
  });
  restrictToOwner(dir, ownDataDir);
  const db: Db = {
    ...pglite,
    async close() {
      await pglite.close();
      restrictToOwner(dir, ownDataDir);
      release();
    },
  };
  return {
    db,
    listenUrl: null,
    advertise(baseUrl, secret) {
      const content: LockContent = { pid: process.pid, url: baseUrl, secret };
      fs.writeFileSync(`${lockPath}.tmp`, JSON.stringify(content), { mode: 0o600 });
      fs.renameSync(`${lockPath}.tmp`, lockPath);
    },
  };
}

/**
 * Makes the embedded database's folder (and the data folder around it, when it is the
 * default `DATA_DIR/pglite`) the owner's alone: folders 0700, files 0600. Links are left alone.
 */
export function restrictToOwner(dir: string, dataDir: string | null = null): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (dataDir) fs.chmodSync(dataDir, 0o700);
  const chmod = (file: string, mode: number) => {
    try {
      fs.chmodSync(file, mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // removed meanwhile
    }
  };
  const walk = (folder: string) => {
    chmod(folder, 0o700);
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) chmod(full, 0o600);
    }
  };
  walk(dir);
}

function readLock(file: string): LockContent | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return fs.existsSync(file) ? { pid: 0 } : null;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const inUse = (dir: string, pid: number) =>
  `Thư mục dữ liệu ${dir} đang được tiến trình ${pid} dùng; dừng tiến trình đó hoặc dùng DATABASE_URL. ` +
  `/ The data folder ${dir} is in use by process ${pid}; stop it or use DATABASE_URL.`;
