/**
 * Backup and restore of the embedded database (PGlite), for `npm run admin -- backup|restore`.
 *
 * A backup is the whole data folder as one gzipped tar (PGlite's own dumpDataDir), made after a
 * checkpoint while no transaction is open. When `npm start` holds the folder, the service makes
 * it (api/db/remote.ts, the route the CLI already uses for its SQL), so a backup never stops the
 * service and never copies a half-written transaction; with no service running the tool opens
 * the folder itself under the same lock. A restore unpacks a backup into an empty folder only:
 * it never overwrites data.
 *
 * On PostgreSQL these commands refuse: pgBackRest does backups there (docs/deploy.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { embeddedDir, openDatabase, restrictToOwner } from './open-database.ts';

type DbConfig = Pick<Config, 'databaseUrl' | 'dataDir'>;

const GZIP_MAGIC = [0x1f, 0x8b];

export async function backupEmbedded(config: DbConfig, file: string): Promise<{ bytes: number }> {
  requireEmbedded(config);
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new AppError('validation', `Tệp ${file} đã có; chọn tên khác để không ghi đè.`);
  if (!fs.existsSync(path.dirname(target))) throw new AppError('validation', `Không có thư mục ${path.dirname(file)}.`);
  const { db } = await openDatabase(config, 'client');
  try {
    if (!db.dump) throw new AppError('validation', 'Cơ sở dữ liệu này không sao lưu được bằng lệnh này.');
    const tar = await db.dump();
    // Members' data and token hashes: the owner's alone; written whole or not at all.
    const partial = `${target}.partial`;
    fs.writeFileSync(partial, tar, { mode: 0o600, flag: 'w' });
    fs.renameSync(partial, target);
    return { bytes: tar.byteLength };
  } finally {
    await db.close();
  }
}

export async function restoreEmbedded(config: DbConfig, file: string): Promise<{ migrations: number }> {
  const dir = requireEmbedded(config);
  if (!fs.existsSync(file)) throw new AppError('validation', `Không có tệp ${file}.`);
  const bytes = fs.readFileSync(file);
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1])
    throw new AppError('validation', `Tệp ${file} không phải bản sao lưu (tar.gz do lệnh backup tạo).`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new AppError(
      'validation',
      `Thư mục dữ liệu ${dir} không trống: chỉ khôi phục vào thư mục trống (đặt DATA_DIR khác, ` +
        'hoặc dừng dịch vụ và chuyển thư mục cũ đi chỗ khác).',
    );
  }
  const existed = fs.existsSync(dir);
  try {
    const { db } = await openDatabase(config, 'service', new Blob([bytes]));
    try {
      const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from schema_migrations');
      return { migrations: n };
    } finally {
      await db.close();
    }
  } catch (e) {
    // Nothing half-restored stays behind: the folder is as empty as it was.
    if (existed) for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true });
    else fs.rmSync(dir, { recursive: true, force: true });
    if (e instanceof AppError) throw e;
    throw new AppError('validation', `Không khôi phục được từ ${file}: ${(e as Error).message}`);
  } finally {
    if (fs.existsSync(dir)) restrictToOwner(dir);
  }
}

function requireEmbedded(config: DbConfig): string {
  const dir = embeddedDir(config);
  if (!dir) {
    throw new AppError(
      'validation',
      'Lệnh backup/restore dành cho cơ sở dữ liệu nhúng (PGlite). Với PostgreSQL dùng pgBackRest ' +
        '(xem docs/deploy.md).',
    );
  }
  return dir;
}
