import { randomBytes } from 'node:crypto';
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
  useBallotGroup,
  verifyBallot,
  verifyDecryption,
} from '../../api/meetings/ballot-crypto.ts';
import { chooseGroup, nativeGroup, wasmGroup } from '../../api/meetings/ballot-group.ts';

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

describe('the two libsodium builds (ballot-group.ts)', () => {
  const native = nativeGroup();
  // The native build needs the system's libsodium (Debian: libsodium23); .ci/run installs it.
  const itNative = process.env.CI && !native ? it : it.skipIf(!native);

  itNative('give the same bytes for the same group and scalar operations', () => {
    expect(native, 'libsodium.so.23 did not load (apt-get install libsodium23)').toBeDefined();
    const n = native!;
    const w = wasmGroup;
    for (let i = 0; i < 50; i++) {
      const wide = new Uint8Array(randomBytes(64));
      const k = w.scalarReduce(wide);
      expect(n.scalarReduce(wide)).toEqual(k);
      // a view into a larger buffer reads its own bytes, not the buffer's start
      const inside = new Uint8Array(randomBytes(96)).subarray(16, 80);
      expect(n.scalarReduce(inside)).toEqual(w.scalarReduce(inside.slice()));
      const j = w.scalarReduce(new Uint8Array(randomBytes(64)));
      for (const op of ['scalarAdd', 'scalarSub', 'scalarMul'] as const) expect(n[op](k, j)).toEqual(w[op](k, j));
      expect(n.scalarNegate(k)).toEqual(w.scalarNegate(k));
      const p = w.baseMult(k);
      const q = w.baseMult(j);
      expect(n.baseMult(k)).toEqual(p);
      expect(n.mult(j, p)).toEqual(w.mult(j, p));
      expect(n.add(p, q)).toEqual(w.add(p, q));
      expect(n.sub(p, q)).toEqual(w.sub(p, q));
      expect(n.isValidPoint(p)).toBe(true);
    }
    const notAPoint = new Uint8Array(32).fill(0xff);
    expect(n.isValidPoint(notAPoint)).toBe(w.isValidPoint(notAPoint));
    expect(() => n.add(notAPoint, notAPoint)).toThrow();
    expect(() => n.baseMult(new Uint8Array(31))).toThrow();
  });

  itNative('a ballot sealed by one verifies and is counted by the other', () => {
    const n = native!;
    try {
      useBallotGroup(n);
      const byNative = [0, 1, 2, 0].map((c) => encryptBallot(ctx, keys.secret, [c]));
      useBallotGroup(wasmGroup);
      const byWasm = [0, 2].map((c) => encryptBallot(ctx, keys.secret, [c]));
      expect(byNative.every((b) => verifyBallot(ctx, b))).toBe(true);
      const agg = aggregate(
        [...byNative, ...byWasm].map((b) => b.ciphertexts),
        3,
      );
      const totals = agg.map((ct, i) => decryptTotal(tallyLabel(ctx, i), keys.secret, ct, 6));
      useBallotGroup(n);
      expect(byWasm.every((b) => verifyBallot(ctx, b))).toBe(true);
      expect(totals.map((t) => t.total)).toEqual([3, 1, 2]);
      for (const [i, t] of totals.entries())
        expect(verifyDecryption(tallyLabel(ctx, i), keys.publicKey, agg[i], t.total, t.proof)).toBe(true);
      // a tampered ballot fails on both builds
      const bad = { ...byNative[0], ciphertexts: [byWasm[0].ciphertexts[0], ...byNative[0].ciphertexts.slice(1)] };
      expect(verifyBallot(ctx, bad)).toBe(false);
      useBallotGroup(wasmGroup);
      expect(verifyBallot(ctx, bad)).toBe(false);
    } finally {
      useBallotGroup(chooseGroup());
    }
  });
});
