/**
 * Encrypted secret ballots (issue 28), after Helios and Belenios: exponential ElGamal on the
 * prime-order group ristretto255 (RFC 9496), with libsodium doing the group arithmetic
 * (native or WebAssembly: ballot-group.ts).
 *
 * A ballot is a vector of ciphertexts, one per choice (for / against / abstain, the discipline
 * forms, or an election's candidates), each encrypting 0 or 1, with a zero-knowledge proof that
 * each is 0 or 1 and one that their sum is allowed (exactly 1, or at most the seats). Ballots
 * are multiplied together choice by choice; only those products are decrypted, each with a
 * proof that the decryption is correct. Everything a verifier needs is public: this file's
 * `verify…` functions are what `npm run verify-ballots` runs.
 *
 * Notation (multiplicative, as in the papers): g the group's base point, x the motion's private
 * key, h = g^x its public key; Enc(m; r) = (α, β) = (g^r, g^m·h^r). Proofs are disjunctive
 * Chaum–Pedersen proofs (Cramer–Damgård–Schoenmakers) made non-interactive by Fiat–Shamir: the
 * challenge hashes the motion's context (motion id, public key, choices), the statement and
 * the commitments.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chooseGroup, type RistrettoGroup } from './ballot-group.ts';

/** libsodium's ristretto255, native or WebAssembly (ballot-group.ts): the same bytes either way. */
let G: RistrettoGroup = chooseGroup();
/** Which libsodium build computes (`npm run bench:meetings` prints it). */
export const ballotGroupBuild = () => G.build;
/** Computes with another build from now on (tests compare the two). */
export function useBallotGroup(group: RistrettoGroup) {
  G = group;
}

/** 32 bytes: a group element (ristretto255 encoding) or a scalar (little-endian, reduced). */
type Bytes = Uint8Array;

export interface Ciphertext {
  alpha: string;
  beta: string;
}

/** A disjunctive proof: one challenge and one response per allowed value. */
export interface RangeProof {
  challenges: string[];
  responses: string[];
}

export interface EncryptedBallot {
  ciphertexts: Ciphertext[];
  /** Each ciphertext encrypts 0 or 1. */
  proofs: RangeProof[];
  /** The ciphertexts' product encrypts an allowed number of choices (1, or 0…seats). */
  sumProof: RangeProof;
}

/** What binds a ballot to its motion: proofs made for one motion do not verify for another. */
export interface BallotContext {
  motionId: number;
  publicKey: string;
  /** The choices, in the ciphertexts' order (an election: the candidates' member ids). */
  choices: string[];
  /** How many choices a ballot may mark: exactly one, or from 0 up to this number (an election). */
  marks: { exactly: number } | { atMost: number };
}

export interface DecryptionProof {
  /** α^x, the aggregate's decryption share. */
  share: string;
  challenge: string;
  response: string;
}

// ---- group and scalar helpers ----

const L = 32;
const IDENTITY: Bytes = new Uint8Array(32);
const enc = (b: Bytes) => Buffer.from(b).toString('base64url');
const dec = (s: string): Bytes => {
  const b = Buffer.from(s, 'base64url');
  if (b.length !== 32 || enc(b) !== s) throw new Error('not a 32-byte base64url value');
  return new Uint8Array(b);
};
const isZero = (b: Bytes) => b.every((v) => v === 0);
const same = (a: Bytes, b: Bytes) => a.length === b.length && a.every((v, i) => v === b[i]);

function scalar(n: number): Bytes {
  const out = new Uint8Array(L);
  if (n >= 0) {
    let v = n;
    for (let i = 0; v > 0; i++, v = Math.floor(v / 256)) out[i] = v % 256;
    return out;
  }
  return G.scalarNegate(scalar(-n));
}
const sAdd = (a: Bytes, b: Bytes) => G.scalarAdd(a, b);
const sSub = (a: Bytes, b: Bytes) => G.scalarSub(a, b);
const sMul = (a: Bytes, b: Bytes) => G.scalarMul(a, b);
// A uniform scalar: 64 random bytes reduced mod ℓ. libsodium's own scalar_random asks the
// WebAssembly module's random source (~0.45 ms a call from Node); one randomBytes call per 16 KiB
// of scalars costs far less than one per scalar.
let entropy = new Uint8Array(0);
let used = 0;
function sRandom(): Bytes {
  if (used + 64 > entropy.length) {
    entropy = new Uint8Array(randomBytes(16_384));
    used = 0;
  }
  const wide = entropy.subarray(used, used + 64);
  used += 64;
  const k = reduce64(wide);
  wide.fill(0); // used once, never again
  return k;
}
const reduce64 = (b: Bytes) => G.scalarReduce(b);

/** g^k (libsodium refuses a zero result; g^0 is the identity). */
function gPow(k: Bytes): Bytes {
  return isZero(k) ? IDENTITY : G.baseMult(k);
}
/** p^k for any element p (the identity and k = 0 give the identity). */
function pow(p: Bytes, k: Bytes): Bytes {
  return isZero(k) || isZero(p) ? IDENTITY : G.mult(k, p);
}
const mul = (a: Bytes, b: Bytes) => G.add(a, b);
const div = (a: Bytes, b: Bytes) => G.sub(a, b);
function element(s: string): Bytes {
  const p = dec(s);
  if (!isZero(p) && !G.isValidPoint(p)) throw new Error('not a group element');
  return p;
}
function scalarOf(s: string): Bytes {
  const k = dec(s);
  // canonical: reducing it again changes nothing
  const wide = new Uint8Array(64);
  wide.set(k);
  if (!same(reduce64(wide), k)) throw new Error('not a reduced scalar');
  return k;
}

/** The Fiat–Shamir challenge: SHA-512 of the labelled parts, reduced mod ℓ. */
function challenge(parts: (string | Bytes)[]): Bytes {
  const h = createHash('sha512');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
    h.update(`${b.length}:`).update(b);
  }
  return reduce64(new Uint8Array(h.digest()));
}

/** The label of the decryption proof of one choice's total. */
export const tallyLabel = (c: BallotContext, choice: number) => `${contextLabel(c)}|total ${choice}`;

const contextLabel = (c: BallotContext) =>
  `ballot/v1|motion ${c.motionId}|key ${c.publicKey}|choices ${c.choices.join(',')}|marks ${JSON.stringify(c.marks)}`;

/** The values the ciphertexts' product may encrypt. */
export function allowedSums(marks: BallotContext['marks']): number[] {
  if ('exactly' in marks) return [marks.exactly];
  return Array.from({ length: marks.atMost + 1 }, (_, i) => i);
}

// ---- keys ----

/** The motion's key pair from 64 secret bytes (derived in memory, never stored: ballot-key.ts). */
export function keyPairFromSeed(seed: Bytes): { secret: Bytes; publicKey: string } {
  const secret = reduce64(seed);
  return { secret, publicKey: enc(gPow(secret)) };
}

// ---- encryption by one who holds the private key (the server, for Telegram, Zalo and the API) ----

/**
 * Encrypts a ballot marking `marked` (indexes into the context's choices). The server holds x,
 * so every element is a power of g of a scalar it can compute (h^r = g^(x·r)), which libsodium
 * computes with its fixed-base tables — several times faster than a general multiplication.
 */
export function encryptBallot(ctx: BallotContext, secret: Bytes, marked: number[]): EncryptedBallot {
  const marks = new Set(marked);
  const ms: number[] = ctx.choices.map((_, i) => (marks.has(i) ? 1 : 0));
  const rs = ms.map(() => sRandom());
  const cts = ms.map((m, i) => ({ alpha: gPow(rs[i]), beta: gPow(sAdd(scalar(m), sMul(secret, rs[i]))) }));
  const label = contextLabel(ctx);
  const proofs = cts.map((ct, i) => proveRange(label, secret, ct, rs[i], ms[i], [0, 1]));
  const total = ms.reduce((a, b) => a + b, 0);
  const sumR = rs.reduce((a, b) => sAdd(a, b));
  // the ciphertexts' product, (g^Σr, g^(Σm + x·Σr)): two fixed-base multiplications cost less
  // than multiplying the ciphertexts (each group addition decodes and encodes its elements)
  const sumCt = { alpha: gPow(sumR), beta: gPow(sAdd(scalar(total), sMul(secret, sumR))) };
  const sumProof = proveRange(`${label}|sum`, secret, sumCt, sumR, total, allowedSums(ctx.marks));
  return {
    ciphertexts: cts.map((c) => ({ alpha: enc(c.alpha), beta: enc(c.beta) })),
    proofs,
    sumProof,
  };
}

/**
 * Proves that (α, β) = (g^r, g^m·h^r) with m among `allowed`. The real branch commits
 * (g^w, h^w); every other branch j is simulated from a chosen challenge c_j and response s_j:
 * (g^s_j·α^-c_j, h^s_j·(β/g^j)^-c_j), both powers of g here since x and r are known.
 */
function proveRange(
  label: string,
  x: Bytes,
  ct: { alpha: Bytes; beta: Bytes },
  r: Bytes,
  m: number,
  allowed: number[],
): RangeProof {
  const real = allowed.indexOf(m);
  if (real < 0) throw new Error('the ballot marks a number of choices it may not');
  const w = sRandom();
  const cs: Bytes[] = [];
  const ss: Bytes[] = [];
  const commits: Bytes[] = [];
  allowed.forEach((j, i) => {
    if (i === real) {
      cs.push(IDENTITY);
      ss.push(IDENTITY);
      commits.push(gPow(w), gPow(sMul(x, w)));
      return;
    }
    const c = sRandom();
    const s = sRandom();
    cs.push(c);
    ss.push(s);
    // log_g(β/g^j) = m - j + x·r
    const logBetaJ = sAdd(scalar(m - j), sMul(x, r));
    commits.push(gPow(sSub(s, sMul(r, c))), gPow(sSub(sMul(x, s), sMul(c, logBetaJ))));
  });
  const c = challenge([label, ct.alpha, ct.beta, ...commits]);
  cs[real] = cs.reduce((acc, ci, i) => (i === real ? acc : sSub(acc, ci)), c);
  ss[real] = sAdd(w, sMul(cs[real], r));
  return { challenges: cs.map(enc), responses: ss.map(enc) };
}

function product(cts: { alpha: Bytes; beta: Bytes }[]): { alpha: Bytes; beta: Bytes } {
  return cts.reduce((a, b) => ({ alpha: mul(a.alpha, b.alpha), beta: mul(a.beta, b.beta) }), {
    alpha: IDENTITY,
    beta: IDENTITY,
  });
}

/** Encrypts known counts with no proof (the room's paper count, entered by those who counted it). */
export function encryptCounts(publicKey: string, counts: number[]): Ciphertext[] {
  const h = element(publicKey);
  return counts.map((n) => {
    const r = sRandom();
    return { alpha: enc(gPow(r)), beta: enc(mul(gPow(scalar(n)), pow(h, r))) };
  });
}

// ---- the tally ----

/** Multiplies ciphertext vectors choice by choice: the product encrypts the per-choice totals. */
export function aggregate(vectors: Ciphertext[][], width: number): Ciphertext[] {
  return Array.from({ length: width }, (_, i) => {
    const p = product(vectors.map((v) => ({ alpha: element(v[i].alpha), beta: element(v[i].beta) })));
    return { alpha: enc(p.alpha), beta: enc(p.beta) };
  });
}

/**
 * Decrypts an aggregate known to hold at most `max` (the ballots counted) and proves it:
 * D = α^x, and a Chaum–Pedersen proof that log_g h = log_α D.
 */
export function decryptTotal(
  label: string,
  secret: Bytes,
  ct: Ciphertext,
  max: number,
): { total: number; proof: DecryptionProof } {
  const alpha = element(ct.alpha);
  const beta = element(ct.beta);
  const share = pow(alpha, secret);
  const total = smallLog(div(beta, share), max);
  if (total === null) throw new Error('the aggregate does not decrypt to a count of the ballots');
  const w = sRandom();
  const h = gPow(secret);
  const c = challenge([label, 'decrypt', h, alpha, beta, share, gPow(w), pow(alpha, w)]);
  return { total, proof: { share: enc(share), challenge: enc(c), response: enc(sAdd(w, sMul(c, secret))) } };
}

/** t with g^t = p, for 0 ≤ t ≤ max (totals are at most the members of a cell). */
function smallLog(p: Bytes, max: number): number | null {
  let acc = IDENTITY;
  const g = gPow(scalar(1));
  for (let t = 0; t <= max; t++) {
    if (same(acc, p)) return t;
    acc = mul(acc, g);
  }
  return null;
}

// ---- verification (what anyone runs on a bulletin board) ----

/** Each ciphertext encrypts 0 or 1, and they mark an allowed number of choices. */
export function verifyBallot(ctx: BallotContext, ballot: EncryptedBallot): boolean {
  try {
    if (ballot.ciphertexts.length !== ctx.choices.length || ballot.proofs.length !== ctx.choices.length) return false;
    const h = element(ctx.publicKey);
    const label = contextLabel(ctx);
    const cts = ballot.ciphertexts.map((c) => ({ alpha: element(c.alpha), beta: element(c.beta) }));
    if (!cts.every((ct, i) => verifyRange(label, h, ct, ballot.proofs[i], [0, 1]))) return false;
    return verifyRange(`${label}|sum`, h, product(cts), ballot.sumProof, allowedSums(ctx.marks));
  } catch {
    return false;
  }
}

function verifyRange(
  label: string,
  h: Bytes,
  ct: { alpha: Bytes; beta: Bytes },
  proof: RangeProof,
  allowed: number[],
): boolean {
  if (proof.challenges.length !== allowed.length || proof.responses.length !== allowed.length) return false;
  const cs = proof.challenges.map(scalarOf);
  const ss = proof.responses.map(scalarOf);
  const commits = allowed.flatMap((j, i) => [
    div(gPow(ss[i]), pow(ct.alpha, cs[i])),
    div(pow(h, ss[i]), pow(div(ct.beta, gPow(scalar(j))), cs[i])),
  ]);
  const c = challenge([label, ct.alpha, ct.beta, ...commits]);
  return same(
    cs.reduce((a, b) => sAdd(a, b)),
    c,
  );
}

/** The decryption proof holds and g^total = β / share. */
export function verifyDecryption(
  label: string,
  publicKey: string,
  ct: Ciphertext,
  total: number,
  proof: DecryptionProof,
): boolean {
  try {
    if (!Number.isSafeInteger(total) || total < 0) return false;
    const h = element(publicKey);
    const alpha = element(ct.alpha);
    const beta = element(ct.beta);
    const share = element(proof.share);
    const c = scalarOf(proof.challenge);
    const s = scalarOf(proof.response);
    const a = div(gPow(s), pow(h, c));
    const b = div(pow(alpha, s), pow(share, c));
    if (!same(challenge([label, 'decrypt', h, alpha, beta, share, a, b]), c)) return false;
    return same(div(beta, share), gPow(scalar(total)));
  } catch {
    return false;
  }
}

/**
 * An audited encryption (the web chat's "Kiểm tra mã hóa", Helios's cast-or-audit): with each
 * ciphertext's randomness r and its 0 or 1 m revealed, checks that it is (g^r, g^m·h^r), and
 * returns the choices it marks — null when it is not. An opened ballot is never cast.
 */
export function verifyOpenedBallot(
  ctx: BallotContext,
  ballot: Pick<EncryptedBallot, 'ciphertexts'>,
  opening: { marks: number[]; randomness: string[] },
): number[] | null {
  try {
    const h = element(ctx.publicKey);
    if (ballot.ciphertexts.length !== ctx.choices.length || opening.marks.length !== ctx.choices.length) return null;
    const ok = ballot.ciphertexts.every((c, i) => {
      const m = opening.marks[i];
      const r = scalarOf(opening.randomness[i]);
      if (m !== 0 && m !== 1) return false;
      return same(element(c.alpha), gPow(r)) && same(element(c.beta), mul(gPow(scalar(m)), pow(h, r)));
    });
    return ok ? opening.marks.flatMap((m, i) => (m ? [i] : [])) : null;
  } catch {
    return null;
  }
}

/** What a voter is given: a fingerprint of their encrypted ballot (never of their choice). */
export function ballotTracker(ballot: EncryptedBallot): string {
  // the ciphertexts in their order (not the JSON, whose key order a database may change)
  const digest = createHash('sha256')
    .update(ballot.ciphertexts.map((c) => `${c.alpha}.${c.beta}`).join('|'))
    .digest();
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I/L: read aloud and typed without confusion
  let bits = 0n;
  for (const b of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += alphabet[Number(bits % 31n)];
    bits /= 31n;
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** A fresh 64-byte seed (tests and tools). */
export const randomSeed = () => new Uint8Array(randomBytes(64));
