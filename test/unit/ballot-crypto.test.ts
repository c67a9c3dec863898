import { describe, expect, it } from 'vitest';
import {
  aggregate,
  ballotTracker,
  type BallotContext,
  decryptTotal,
  encryptBallot,
  encryptCounts,
  keyPairFromSeed,
  randomSeed,
  tallyLabel,
  verifyBallot,
  verifyDecryption,
} from '../../api/meetings/ballot-crypto.ts';

const keys = keyPairFromSeed(randomSeed());
const ctx: BallotContext = {
  motionId: 7,
  publicKey: keys.publicKey,
  choices: ['for', 'against', 'abstain'],
  marks: { exactly: 1 },
};

describe('encrypted ballots (exponential ElGamal on ristretto255)', () => {
  it('a ballot verifies, and its ciphertexts differ each time the same choice is made', () => {
    const a = encryptBallot(ctx, keys.secret, [0]);
    const b = encryptBallot(ctx, keys.secret, [0]);
    expect(verifyBallot(ctx, a)).toBe(true);
    expect(a.ciphertexts[0]).not.toEqual(b.ciphertexts[0]);
    expect(ballotTracker(a)).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(ballotTracker(a)).not.toBe(ballotTracker(b));
  });

  it('refuses a ballot for another motion, another key, or with a ciphertext swapped in', () => {
    const a = encryptBallot(ctx, keys.secret, [1]);
    expect(verifyBallot({ ...ctx, motionId: 8 }, a)).toBe(false);
    expect(verifyBallot({ ...ctx, publicKey: keyPairFromSeed(randomSeed()).publicKey }, a)).toBe(false);
    const other = encryptBallot(ctx, keys.secret, [0]);
    expect(verifyBallot(ctx, { ...a, ciphertexts: [other.ciphertexts[0], ...a.ciphertexts.slice(1)] })).toBe(false);
  });

  it('cannot prove a ballot marking two choices, or none, where exactly one is allowed', () => {
    expect(() => encryptBallot(ctx, keys.secret, [0, 1])).toThrow();
    expect(() => encryptBallot(ctx, keys.secret, [])).toThrow();
    // an election ballot may keep from none to the seats
    const election: BallotContext = { ...ctx, choices: ['11', '12', '13'], marks: { atMost: 2 } };
    expect(verifyBallot(election, encryptBallot(election, keys.secret, []))).toBe(true);
    expect(verifyBallot(election, encryptBallot(election, keys.secret, [0, 2]))).toBe(true);
    expect(() => encryptBallot(election, keys.secret, [0, 1, 2])).toThrow();
  });

  it('decrypts only the totals, with proofs that fail for a wrong total', () => {
    const choices = [0, 0, 1, 2, 0];
    const ballots = choices.map((c) => encryptBallot(ctx, keys.secret, [c]));
    const paper = encryptCounts(keys.publicKey, [2, 0, 1]);
    const agg = aggregate([...ballots.map((b) => b.ciphertexts), paper], 3);
    const totals = agg.map((ct, i) => decryptTotal(tallyLabel(ctx, i), keys.secret, ct, 10));
    expect(totals.map((t) => t.total)).toEqual([5, 1, 2]);
    totals.forEach((t, i) => {
      expect(verifyDecryption(tallyLabel(ctx, i), keys.publicKey, agg[i], t.total, t.proof)).toBe(true);
      expect(verifyDecryption(tallyLabel(ctx, i), keys.publicKey, agg[i], t.total + 1, t.proof)).toBe(false);
    });
    // an aggregate with one ballot left out is not what the proof was made for
    const short = aggregate(
      ballots.slice(1).map((b) => b.ciphertexts),
      3,
    );
    expect(verifyDecryption(tallyLabel(ctx, 0), keys.publicKey, short[0], 2, totals[0].proof)).toBe(false);
  });
});
