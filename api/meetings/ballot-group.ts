/**
 * The group ristretto255 (RFC 9496) and its scalars, as libsodium computes them, from one of
 * two builds of the same library (issue 28's speed target):
 *
 * - **native**: the system's libsodium (Debian's `libsodium23`, 1.0.18 or later), called through
 *   the `koffi` foreign-function interface. A fixed-base multiplication measured 14 µs here.
 * - **wasm**: `libsodium-wrappers-sumo`, libsodium compiled to WebAssembly, which needs nothing
 *   from the system. The same multiplication measured 70 µs.
 *
 * Both are libsodium's own ristretto255 code, so they give the same bytes for the same inputs
 * (test/unit/ballot-crypto.test.ts checks it): ballots, proofs and boards made by one verify with
 * the other. `BALLOT_CRYPTO=native|wasm` chooses; unset, native is used when the library loads.
 */
import { createRequire } from 'node:module';
import sodium from 'libsodium-wrappers-sumo';

await sodium.ready;

type Bytes = Uint8Array;

export interface RistrettoGroup {
  readonly build: 'native' | 'wasm';
  /** g^k for a non-zero scalar (throws on zero: the identity). */
  baseMult(k: Bytes): Bytes;
  /** p^k (throws when the result is the identity or p is not an element). */
  mult(k: Bytes, p: Bytes): Bytes;
  add(p: Bytes, q: Bytes): Bytes;
  sub(p: Bytes, q: Bytes): Bytes;
  isValidPoint(p: Bytes): boolean;
  scalarAdd(a: Bytes, b: Bytes): Bytes;
  scalarSub(a: Bytes, b: Bytes): Bytes;
  scalarMul(a: Bytes, b: Bytes): Bytes;
  scalarNegate(a: Bytes): Bytes;
  /** 64 bytes reduced mod ℓ. */
  scalarReduce(wide: Bytes): Bytes;
}

const wasm: RistrettoGroup = {
  build: 'wasm',
  baseMult: (k) => sodium.crypto_scalarmult_ristretto255_base(k),
  mult: (k, p) => sodium.crypto_scalarmult_ristretto255(k, p),
  add: (p, q) => sodium.crypto_core_ristretto255_add(p, q),
  sub: (p, q) => sodium.crypto_core_ristretto255_sub(p, q),
  isValidPoint: (p) => sodium.crypto_core_ristretto255_is_valid_point(p),
  scalarAdd: (a, b) => sodium.crypto_core_ristretto255_scalar_add(a, b),
  scalarSub: (a, b) => sodium.crypto_core_ristretto255_scalar_sub(a, b),
  scalarMul: (a, b) => sodium.crypto_core_ristretto255_scalar_mul(a, b),
  scalarNegate: (a) => sodium.crypto_core_ristretto255_scalar_negate(a),
  scalarReduce: (wide) => sodium.crypto_core_ristretto255_scalar_reduce(wide),
};

/**
 * The system's libsodium through koffi; undefined when it cannot be loaded, lacks ristretto255
 * (before 1.0.18), or does not compute what the WebAssembly build computes.
 */
function loadNative(): RistrettoGroup | undefined {
  try {
    const native = bindNative();
    return native && agrees(native) ? native : undefined;
  } catch {
    return undefined;
  }
}

/** A known answer at load: the same multiples, sums and scalars as the WebAssembly build. */
function agrees(native: RistrettoGroup): boolean {
  const same = (a: Bytes, b: Bytes) => a.length === b.length && a.every((v, i) => v === b[i]);
  const k = wasm.scalarReduce(new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff));
  const j = wasm.scalarReduce(new Uint8Array(64).map((_, i) => (i * 91 + 5) & 0xff));
  const p = wasm.baseMult(k);
  return (
    same(native.baseMult(k), p) &&
    same(native.mult(j, p), wasm.mult(j, p)) &&
    same(native.add(p, wasm.baseMult(j)), wasm.add(p, wasm.baseMult(j))) &&
    same(native.scalarMul(k, j), wasm.scalarMul(k, j))
  );
}

function bindNative(): RistrettoGroup | undefined {
  let lib: { func(signature: string): (...args: unknown[]) => number };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as { load(path: string): typeof lib };
    lib = koffi.load(process.env.BALLOT_LIBSODIUM || 'libsodium.so.23');
    // -1 is a failure, 1 "already initialised"
    if (lib.func('int sodium_init()')() < 0) return undefined;
  } catch {
    return undefined;
  }
  // Every buffer is 32 bytes (64 for scalar_reduce's input), checked before the call: C reads
  // exactly that many, so a shorter buffer must never reach it.
  const fn = (sig: string) => lib.func(sig);
  const baseMult = fn('int crypto_scalarmult_ristretto255_base(_Out_ uint8_t *q, const uint8_t *n)');
  const mult = fn('int crypto_scalarmult_ristretto255(_Out_ uint8_t *q, const uint8_t *n, const uint8_t *p)');
  const add = fn('int crypto_core_ristretto255_add(_Out_ uint8_t *r, const uint8_t *p, const uint8_t *q)');
  const sub = fn('int crypto_core_ristretto255_sub(_Out_ uint8_t *r, const uint8_t *p, const uint8_t *q)');
  const valid = fn('int crypto_core_ristretto255_is_valid_point(const uint8_t *p)');
  const sAdd = fn('void crypto_core_ristretto255_scalar_add(_Out_ uint8_t *z, const uint8_t *x, const uint8_t *y)');
  const sSub = fn('void crypto_core_ristretto255_scalar_sub(_Out_ uint8_t *z, const uint8_t *x, const uint8_t *y)');
  const sMul = fn('void crypto_core_ristretto255_scalar_mul(_Out_ uint8_t *z, const uint8_t *x, const uint8_t *y)');
  const sNeg = fn('void crypto_core_ristretto255_scalar_negate(_Out_ uint8_t *neg, const uint8_t *s)');
  const sReduce = fn('void crypto_core_ristretto255_scalar_reduce(_Out_ uint8_t *r, const uint8_t *s)');
  const check = (...bs: Bytes[]) => {
    for (const b of bs) if (!(b instanceof Uint8Array) || b.length !== 32) throw new Error('not 32 bytes');
  };
  const call = (f: (...a: unknown[]) => number, what: string, ...args: Bytes[]) => {
    check(...args);
    const out = new Uint8Array(32);
    if (f(out, ...args) !== 0) throw new Error(`${what} failed`);
    return out;
  };
  const scalarOp = (f: (...a: unknown[]) => number, ...args: Bytes[]) => {
    check(...args);
    const out = new Uint8Array(32);
    f(out, ...args);
    return out;
  };
  return {
    build: 'native',
    baseMult: (k) => call(baseMult, 'scalarmult_base', k),
    mult: (k, p) => call(mult, 'scalarmult', k, p),
    add: (p, q) => call(add, 'add', p, q),
    sub: (p, q) => call(sub, 'sub', p, q),
    isValidPoint: (p) => p.length === 32 && valid(p) === 1,
    scalarAdd: (a, b) => scalarOp(sAdd, a, b),
    scalarSub: (a, b) => scalarOp(sSub, a, b),
    scalarMul: (a, b) => scalarOp(sMul, a, b),
    scalarNegate: (a) => scalarOp(sNeg, a),
    scalarReduce: (wide) => {
      if (wide.length !== 64) throw new Error('not 64 bytes');
      const out = new Uint8Array(32);
      sReduce(out, wide);
      return out;
    },
  };
}

/** The build `BALLOT_CRYPTO` asks for (`native`, `wasm`, or unset: native when it loads). */
export function chooseGroup(setting = process.env.BALLOT_CRYPTO): RistrettoGroup {
  if (setting === 'wasm') return wasm;
  const native = loadNative();
  if (setting === 'native' && !native)
    throw new Error('BALLOT_CRYPTO=native: libsodium (libsodium.so.23, BALLOT_LIBSODIUM) could not be loaded');
  return native ?? wasm;
}

export const wasmGroup = wasm;
export const nativeGroup = loadNative;
