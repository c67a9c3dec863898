/**
 * Where a bench's node CPU goes (issue 31): records a V8 CPU profile of this process over one
 * phase (`startCpuProfile` … `stop`), writes it as a `.cpuprofile` (Chrome DevTools, speedscope)
 * and returns the top functions by self time and by total time, with the file they are in.
 * Idle and garbage-collection samples are counted apart, so the shares say how busy the event
 * loop was and with what.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { round } from './args.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export async function startCpuProfile(file: string) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(top = 25): Promise<string[]> {
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      session.disconnect();
      fs.writeFileSync(file, JSON.stringify(profile));
      return [`cpu profile: ${file}`, ...summariseCpuProfile(profile, top)];
    },
  };
}

/** Self and total time per function (a function's own frames once per sample for the total). */
export function summariseCpuProfile(profile: CpuProfile, top = 25): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url ? shorten(f.url) : '';
    return `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(profile.samples[i])!;
    all += dt;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const l = label(leaf);
    self.set(l, (self.get(l) ?? 0) + dt);
    const f = leaf.callFrame.url ? fileGroup(leaf.callFrame.url) : leaf.callFrame.functionName;
    files.set(f, (files.get(f) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id)!);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const ms = (us: number) => round(us / 1000, 1);
  const pct = (us: number) => `${round((100 * us) / Math.max(1, all - idle), 1)} %`;
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${String(ms(us)).padStart(9)} ms ${pct(us).padStart(7)}  ${k}`);
  return [
    `sampled ${ms(all)} ms: busy ${ms(all - idle)} ms, idle ${ms(idle)} ms`,
    'self time by package or folder (share of busy):',
    ...rows(files, 15),
    'self time by function:',
    ...rows(self, top),
    'total time by function (callees included):',
    ...rows(total, top),
  ];
}

const shorten = (url: string) => {
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  return nm >= 0 ? p.slice(nm + 'node_modules/'.length) : path.relative(process.cwd(), p);
};

/** `pg`, `pino`, `api/votes`, `node:internal/...` — where a self-time sample's code lives. */
const fileGroup = (url: string) => {
  const s = shorten(url);
  if (url.includes('node_modules/')) {
    const parts = s.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (s.startsWith('node:')) return s.split('/').slice(0, 2).join('/');
  return path.dirname(s);
};
