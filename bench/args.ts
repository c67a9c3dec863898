/** Reads `--name value` pairs for benches: `npm run bench:x -- --members 100000`. */
export function benchArgs<T extends Record<string, number | string>>(defaults: T): T {
  const out: Record<string, number | string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown argument ${argv[i]}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    const raw = argv[++i];
    out[m[1]] = typeof defaults[m[1]] === 'number' ? Number(raw) : raw;
    if (typeof defaults[m[1]] === 'number' && !Number.isFinite(out[m[1]] as number)) throw new Error(`--${m[1]} needs a number`);
  }
  return out as T;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The PostgreSQL server benches use: DATABASE_URL, else the local one. */
export const benchServerUrl = () =>
  process.env.DATABASE_URL && /^postgres/.test(process.env.DATABASE_URL) ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/postgres';
