/**
 * Where SQL may live (CONTRIBUTING.md, "Data flows one way"): never under bot/ and never in a
 * routes.ts. Import directions are checked by dependency-cruiser (.dependency-cruiser.cjs);
 * this test checks the text rule the import graph cannot see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A database call: `db.query(…)`, `sql.query<Row>(…)`, or `.exec('…')` with SQL text (not RegExp#exec). */
const DB_CALL = /\.query\s*[<(]|\.exec\(\s*[`'"]/;
/** SQL in a string or template literal. */
const SQL_TEXT =
  /[`'"]\s*(select\s[\s\S]*?\sfrom\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\()/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

/** Every file that must hold no SQL: all of bot/, and every routes.ts anywhere. */
function guardedFiles(): string[] {
  const routes = ['api', 'bot', 'knowledge', 'ingest'].flatMap(sourceFiles).filter((f) => f.endsWith('/routes.ts'));
  return [...new Set([...sourceFiles('bot'), ...routes])].sort();
}

function holdsSql(file: string): boolean {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return DB_CALL.test(text) || SQL_TEXT.test(text);
}

describe('SQL lives in the domain, never in a chat layer or a route', () => {
  const files = guardedFiles();

  it('finds the files it guards', () => {
    expect(files).toContain('bot/core/conversation.ts');
    expect(files).toContain('api/meetings/routes.ts');
    expect(files).toContain('bot/web/routes.ts');
  });

  it('no file under bot/ or named routes.ts runs SQL', () => {
    const offenders = files.filter((f) => holdsSql(f));
    expect(offenders, 'move this SQL into a repository or use case under api/ (or knowledge/)').toEqual([]);
  });

  it('recognises SQL the way it is written in this code, and not regular expressions', () => {
    expect(holdsSql('api/meetings/repository.ts')).toBe(true);
    expect(DB_CALL.test('const r = await deps.db.query<{ id: number }>(`…`)')).toBe(true);
    expect(DB_CALL.test("await db.exec('begin')")).toBe(true);
    expect(DB_CALL.test('/\\b(\\d{6})\\b/.exec(ctx.args)')).toBe(false);
    expect(SQL_TEXT.test('`insert into inbound_updates (channel) values ($1)`')).toBe(true);
    expect(SQL_TEXT.test("'update kb_jobs set status = $2'")).toBe(true);
    expect(SQL_TEXT.test('`Chọn một trong các lựa chọn dưới đây`')).toBe(false);
  });
});
