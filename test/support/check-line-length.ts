/**
 * `npm run lint:lines`: no line of TypeScript longer than 120 characters, so two files read
 * side by side. Biome formats code to that width but leaves long strings (SQL, HTML) alone.
 * Migrations (.sql) are history and are not rewritten.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const MAX = 120;
const files = execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const long = files.flatMap((file) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > MAX ? [`${file}:${i + 1}: ${line.length} characters`] : [])),
);
if (long.length) {
  console.error(`${long.length} lines longer than ${MAX} characters:\n${long.join('\n')}`);
  process.exit(1);
}
