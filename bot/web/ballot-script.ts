/**
 * /chat/ballot.js: the web chat's in-browser ballot encryption (ballot-client.ts with
 * @noble/curves), bundled once per process into one classic script that defines
 * `SotayBallot`. Served from our origin, so the page's Content-Security-Policy ('self') holds;
 * nothing is fetched from a CDN.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let bundled: Promise<{ code: string; etag: string }> | undefined;

export function ballotScript(): Promise<{ code: string; etag: string }> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL('./ballot-client.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'SotayBallot',
    minify: true,
    // BigInt is the floor anyway (Chrome 67, Safari 14); ES2020 has it, and newer syntax is lowered
    target: 'es2020',
    legalComments: 'inline',
  }).then((r) => {
    const code = r.outputFiles[0].text;
    return { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
  });
  return bundled;
}
