/**
 * npm run ingest -- <files or folders> [--max-tokens 300] [--org <id>]
 * Loads procedure documents into the assistant, with progress bars and a summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { readConfig } from '../api/config.ts';
import { openDatabase } from '../api/db/open-database.ts';
import { migrate } from '../api/db/migrate.ts';
import { chooseEmbedder } from '../knowledge/embed/choose-embedder.ts';
import { ensureLexicalIndex, refreshTermStats } from '../knowledge/store.ts';
import { documentVisibility } from '../knowledge/scope.ts';
import { ingestFile } from './ingest-file.ts';
import { SUPPORTED_EXTENSIONS } from './loaders/load-file.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'max-tokens': { type: 'string' }, org: { type: 'string' } },
});
if (positionals.length === 0) {
  console.error('Dùng: npm run ingest -- <tệp hoặc thư mục>… [--max-tokens 300] [--org <id>]');
  process.exit(2);
}
const missing = positionals.filter((p) => !fs.existsSync(p));
if (missing.length) {
  console.error(`Không tìm thấy: ${missing.join(', ')}`);
  process.exit(2);
}
const files = positionals.flatMap(expand);
const config = readConfig();
// Beside a running service on the embedded database, its SQL goes through the service.
const { db } = await openDatabase(config, 'client');
await migrate(db);
await ensureLexicalIndex(db);
const embedder = chooseEmbedder();
const STATUS = { created: 'mới', replaced: 'thay thế', unchanged: 'không đổi' } as const;
// Bars on a terminal; one line per file when the output goes to a log or a pipe.
const tty = Boolean(process.stderr.isTTY);
const bars = new cliProgress.MultiBar(
  { format: '{name} |{bar}| {value}/{total}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const filesBar = tty ? bars.create(files.length, 0, { name: 'files     ' }) : null;
const totals = { created: 0, replaced: 0, unchanged: 0, failed: 0, pages: 0, chunks: 0 };
for (const file of files) {
  const chunkBar = tty ? bars.create(1, 0, { name: path.basename(file).slice(0, 10).padEnd(10) }) : null;
  let line: string;
  try {
    const r = await ingestFile(db, embedder, path.basename(file), fs.readFileSync(file), {
      maxTokens: values['max-tokens'] ? Number(values['max-tokens']) : undefined,
      // --org: that unit's subtree sees it, and its key is that unit's (an upload's rules);
      // without it the document is national.
      visibilityOrgId: values.org ? await documentVisibility(db, Number(values.org)) : null,
      orgId: values.org ? Number(values.org) : null,
      onProgress: (p) => {
        if (p.chunks !== undefined) chunkBar?.setTotal(Math.max(1, p.chunks));
        if (p.embedded !== undefined) chunkBar?.update(p.embedded);
      },
    });
    totals[r.status]++;
    totals.pages += r.pages;
    totals.chunks += r.chunks;
    line = `✓ ${file}: ${r.pages} trang, ${r.chunks} đoạn (${STATUS[r.status]})`;
  } catch (e) {
    totals.failed++;
    line = `✗ ${file}: ${(e as Error).message}`;
  }
  if (chunkBar) {
    chunkBar.update(chunkBar.getTotal());
    bars.remove(chunkBar);
    if (line.startsWith('✗')) bars.log(`${line}\n`);
  } else {
    console.error(line);
  }
  filesBar?.increment();
}
bars.stop();
await refreshTermStats(db);
console.log(
  `Đã nạp ${files.length} tệp (${totals.pages} trang): ${totals.created} mới, ${totals.replaced} thay thế, ` +
    `${totals.unchanged} không đổi, ` +
    `${totals.failed} lỗi; ${totals.chunks} đoạn; mô hình ${embedder.model}.`,
);
await db.close();
if (totals.failed) process.exitCode = 1;

function expand(p: string): string[] {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return [p];
  return fs
    .readdirSync(p)
    .flatMap((f) => expand(path.join(p, f)))
    .filter((f) => SUPPORTED_EXTENSIONS.includes(path.extname(f).toLowerCase()));
}
