/**
 * How long the web chat takes to encrypt one secret ballot in the member's browser (issue 28,
 * point 4): the page's script (/chat/ballot.js, @noble/curves) in Debian's Chromium at 390 px,
 * with the CPU as is and slowed 4× (CDP Emulation.setCPUThrottlingRate, an old phone). "cold" is
 * the first encryption in a fresh page — what a member waits for on pressing a choice (noble
 * builds its base-point tables then); "warm" the median of the next ones.
 *
 *   npm run bench:ballot-browser -- --choices 3 --runs 15
 */
import os from 'node:os';
import { keyPairFromSeed, randomSeed } from '../api/meetings/ballot-crypto.ts';
import { ballotScript } from '../bot/web/ballot-script.ts';
import { launchChromium } from '../test/journeys/harness/journey.ts';
import { benchArgs, percentile } from './args.ts';

const args = benchArgs({ choices: 3, runs: 15 });
const ctx = {
  motionId: 1,
  publicKey: keyPairFromSeed(randomSeed()).publicKey,
  choices: Array.from({ length: args.choices }, (_, i) => `c${i}`),
  marks: { exactly: 1 },
};
const { code } = await ballotScript();
const browser = await launchChromium();
try {
  for (const rate of [1, 4]) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.setContent('<!doctype html><title>ballot</title>');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.addScriptTag({ content: code });
    const times = await page.evaluate(
      ({ ctx, runs }) => {
        const lib = (window as unknown as { SotayBallot: { encryptBallot: (c: unknown, m: number[]) => unknown } })
          .SotayBallot;
        const out: number[] = [];
        for (let i = 0; i <= runs; i++) {
          const t0 = performance.now();
          lib.encryptBallot(ctx, [i % ctx.choices.length]);
          out.push(performance.now() - t0);
        }
        return out;
      },
      { ctx, runs: args.runs },
    );
    const warm = times.slice(1).sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: 'ballot-browser',
        choices: args.choices,
        cpu_slowdown: rate,
        viewport: '390x844',
        cold_ms: Math.round(times[0]),
        warm_median_ms: Math.round(percentile(warm, 50)),
        warm_p95_ms: Math.round(percentile(warm, 95)),
        script_bytes: code.length,
        load: os.loadavg().map((l) => Math.round(l * 100) / 100),
      }),
    );
    await context.close();
  }
} finally {
  await browser.close();
}
