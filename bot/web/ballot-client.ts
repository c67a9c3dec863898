/**
 * Secret-ballot encryption in the member's browser (issue 28, point 4): the web chat page loads
 * this file, bundled by ballot-script.ts, from /chat/ballot.js. It makes exactly the ballot the
 * service makes (api/meetings/ballot-crypto.ts: exponential ElGamal on ristretto255, disjunctive
 * Chaum–Pedersen proofs, the same Fiat–Shamir labels and hashing, the same tracker), so the
 * service's verifier and `npm run verify-ballots` accept it unchanged — but without the motion's
 * private key: only its public key h, fetched from /chat/api/ballots/:id.
 *
 * Cast or audit, as in Helios: an encryption can be opened (its randomness and choice shown and
 * checked, `openedChoices`) and is then thrown away; only an encryption never opened is cast.
 *
 * @noble/curves (pure JavaScript, audited, no WebAssembly) rather than libsodium's browser build:
 * it runs where WebAssembly is off (iOS Lockdown Mode, some in-app browsers), the page's
 * Content-Security-Policy needs no 'wasm-unsafe-eval', and it weighs ~40 KB against ~1.4 MB.
 * It imports only types from the service's code: nothing here runs on the server.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { BallotContext, EncryptedBallot, RangeProof } from '../../api/meetings/ballot-crypto.ts';

type Point = InstanceType<typeof ristretto255.Point>;
const P = ristretto255.Point;
const N = P.Fn.ORDER;

/** What opens an encryption for an audit: the 0/1 marked per choice and each ciphertext's randomness. */
export interface BallotOpening {
  marks: number[];
  randomness: string[];
}

/** Encrypts a ballot marking `marked` (indexes into the context's choices), with its proofs. */
export function encryptBallot(
  ctx: BallotContext,
  marked: number[],
): { ballot: EncryptedBallot; opening: BallotOpening; tracker: string } {
  const h = element(ctx.publicKey);
  const ms: number[] = ctx.choices.map((_, i) => (marked.includes(i) ? 1 : 0));
  const rs = ms.map(() => randomScalar());
  const cts = ms.map((m, i) => ({ alpha: gPow(rs[i]), beta: gPow(BigInt(m)).add(pow(h, rs[i])) }));
  const label = contextLabel(ctx);
  const proofs = cts.map((ct, i) => proveRange(label, h, ct, rs[i], ms[i], [0, 1]));
  const total = ms.reduce((a, b) => a + b, 0);
  const sumCt = cts.reduce((a, b) => ({ alpha: a.alpha.add(b.alpha), beta: a.beta.add(b.beta) }));
  const sumR = rs.reduce((a, b) => (a + b) % N);
  const sumProof = proveRange(`${label}|sum`, h, sumCt, sumR, total, allowedSums(ctx.marks));
  const ballot = {
    ciphertexts: cts.map((c) => ({ alpha: enc(c.alpha.toBytes()), beta: enc(c.beta.toBytes()) })),
    proofs,
    sumProof,
  };
  return { ballot, opening: { marks: ms, randomness: rs.map((r) => enc(scalarBytes(r))) }, tracker: tracker(ballot) };
}

/**
 * An audit: checks that each ciphertext is (g^r, g^m·h^r) for the opened r and m, and returns
 * the choices it marks — or null when the opening does not match (the encryption was not of
 * what the page says). Anyone can check the same with `npm run verify-ballots -- --audit <file>`.
 */
export function openedChoices(ctx: BallotContext, ballot: EncryptedBallot, opening: BallotOpening): number[] | null {
  try {
    const h = element(ctx.publicKey);
    const ok = ballot.ciphertexts.every((c, i) => {
      const m = opening.marks[i];
      const r = bytesToScalar(dec(opening.randomness[i]));
      if (m !== 0 && m !== 1) return false;
      return element(c.alpha).equals(gPow(r)) && element(c.beta).equals(gPow(BigInt(m)).add(pow(h, r)));
    });
    if (!ok || ballot.ciphertexts.length !== ctx.choices.length) return null;
    return opening.marks.flatMap((m, i) => (m ? [i] : []));
  } catch {
    return null;
  }
}

/** The tracker: the fingerprint the service computes (ballot-crypto.ts `ballotTracker`). */
export function tracker(ballot: EncryptedBallot): string {
  const digest = sha256(utf8(ballot.ciphertexts.map((c) => `${c.alpha}.${c.beta}`).join('|')));
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  let bits = 0n;
  for (const b of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += alphabet[Number(bits % 31n)];
    bits /= 31n;
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/**
 * Proves that (α, β) = (g^r, g^m·h^r) with m among `allowed`: the real branch commits
 * (g^w, h^w); every other branch j is simulated from a chosen challenge c_j and response s_j as
 * (g^s_j·α^-c_j, h^s_j·(β/g^j)^-c_j) — the commitments the verifier recomputes.
 */
function proveRange(
  label: string,
  h: Point,
  ct: { alpha: Point; beta: Point },
  r: bigint,
  m: number,
  allowed: number[],
): RangeProof {
  const real = allowed.indexOf(m);
  if (real < 0) throw new Error('the ballot marks a number of choices it may not');
  const w = randomScalar();
  const cs: bigint[] = [];
  const ss: bigint[] = [];
  const commits: Uint8Array[] = [];
  allowed.forEach((j, i) => {
    if (i === real) {
      cs.push(0n);
      ss.push(0n);
      commits.push(gPow(w).toBytes(), pow(h, w).toBytes());
      return;
    }
    const c = randomScalar();
    const s = randomScalar();
    cs.push(c);
    ss.push(s);
    const betaJ = ct.beta.subtract(gPow(BigInt(j)));
    commits.push(gPow(s).subtract(pow(ct.alpha, c)).toBytes(), pow(h, s).subtract(pow(betaJ, c)).toBytes());
  });
  const c = challenge([label, ct.alpha.toBytes(), ct.beta.toBytes(), ...commits]);
  cs[real] = cs.reduce((acc, ci, i) => (i === real ? acc : mod(acc - ci)), c);
  ss[real] = mod(w + cs[real] * r);
  return { challenges: cs.map((x) => enc(scalarBytes(x))), responses: ss.map((x) => enc(scalarBytes(x))) };
}

// ---- what must match ballot-crypto.ts byte for byte ----

const contextLabel = (c: BallotContext) =>
  `ballot/v1|motion ${c.motionId}|key ${c.publicKey}|choices ${c.choices.join(',')}|marks ${JSON.stringify(c.marks)}`;

function allowedSums(marks: BallotContext['marks']): number[] {
  if ('exactly' in marks) return [marks.exactly];
  return Array.from({ length: marks.atMost + 1 }, (_, i) => i);
}

/** SHA-512 of the length-prefixed parts, read little-endian and reduced mod ℓ (libsodium's scalar_reduce). */
function challenge(parts: (string | Uint8Array)[]): bigint {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const b = typeof p === 'string' ? utf8(p) : p;
    chunks.push(utf8(`${b.length}:`), b);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return bytesToScalar(sha512(all));
}

// ---- group, scalars, encodings ----

const mod = (k: bigint) => ((k % N) + N) % N;
/** g^k; noble refuses 0, whose power is the identity. */
const gPow = (k: bigint): Point => (mod(k) === 0n ? P.ZERO : P.BASE.multiply(mod(k)));
const pow = (p: Point, k: bigint): Point => (mod(k) === 0n || p.is0() ? P.ZERO : p.multiply(mod(k)));

/** A uniform scalar: 64 random bytes from the browser's CSPRNG, reduced mod ℓ. */
function randomScalar(): bigint {
  const wide = new Uint8Array(64);
  crypto.getRandomValues(wide);
  const k = bytesToScalar(wide);
  wide.fill(0);
  return k;
}

function bytesToScalar(le: Uint8Array): bigint {
  let k = 0n;
  for (let i = le.length - 1; i >= 0; i--) k = (k << 8n) | BigInt(le[i]);
  return mod(k);
}

function scalarBytes(k: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = k;
  for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function element(s: string): Point {
  const b = dec(s);
  return b.every((v) => v === 0) ? P.ZERO : P.fromBytes(b);
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding, as Node's Buffer writes it. */
function enc(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((b.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function dec(s: string): Uint8Array {
  if (s.length !== 43) throw new Error('not a 32-byte base64url value');
  const out = new Uint8Array(32);
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new Error('not base64url');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (at < 32) out[at++] = (acc >> bits) & 255;
    }
  }
  if (enc(out) !== s) throw new Error('not a canonical encoding');
  return out;
}
