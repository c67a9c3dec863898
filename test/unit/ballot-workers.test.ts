/**
 * Ballots encrypted on worker threads (BALLOT_THREADS, api/meetings/ballot-workers.ts) are
 * ballots like any other: they verify, their trackers are their own, and they count.
 */
import { afterAll, describe, expect, it } from 'vitest';

process.env.BALLOT_THREADS = '2';
const { encryptInPool } = await import('../../api/meetings/ballot-workers.ts');
const crypto = await import('../../api/meetings/ballot-crypto.ts');

describe('ballots encrypted on worker threads', () => {
  afterAll(() => {
    delete process.env.BALLOT_THREADS;
  });

  it('verify, carry their own tracker, and decrypt as totals', async () => {
    const keys = crypto.keyPairFromSeed(crypto.randomSeed());
    const ctx = {
      motionId: 41,
      publicKey: keys.publicKey,
      choices: ['for', 'against', 'abstain'],
      marks: { exactly: 1 } as const,
    };
    const marks = [0, 0, 1, 2, 0, 1, 0, 2, 0, 0];
    const sealed = await Promise.all(marks.map((m) => encryptInPool(ctx, keys.secret, [m])));
    const ballots = sealed.map((s) => JSON.parse(s.ballot));
    for (const [i, b] of ballots.entries()) {
      expect(crypto.verifyBallot(ctx, b)).toBe(true);
      expect(crypto.ballotTracker(b)).toBe(sealed[i].tracker);
    }
    expect(new Set(sealed.map((s) => s.tracker)).size).toBe(marks.length);
    const agg = crypto.aggregate(
      ballots.map((b) => b.ciphertexts),
      3,
    );
    const totals = agg.map((ct, i) => crypto.decryptTotal(crypto.tallyLabel(ctx, i), keys.secret, ct, 10).total);
    expect(totals).toEqual([6, 2, 2]);
  });
});
