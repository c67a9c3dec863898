/**
 * Where the secret ballots' private keys come from (issue 28; README "Secret ballots"). Each
 * motion's key pair is derived in memory from one master secret and the motion's id (HKDF), so
 * no private key is ever written to the database, its WAL, a dump, a replica or a backup:
 * only the public key is published on the motion's bulletin board.
 *
 * The master secret is `BALLOT_KEY` (at least 32 characters) from the environment, or, when
 * unset, 32 random bytes generated once into `BALLOT_KEY_FILE` (default `<DATA_DIR>/ballot.key`,
 * beside — not inside — the embedded database's folder, mode 0600), so a restart finds it again.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { keyPairFromSeed } from './ballot-crypto.ts';

let master: Buffer | null = null;
const perMotion = new Map<number, { secret: Uint8Array; publicKey: string }>();

/** The motion's key pair (cached: deriving costs one HKDF and one multiplication). */
export function motionKey(motionId: number): { secret: Uint8Array; publicKey: string } {
  let key = perMotion.get(motionId);
  if (!key) {
    const seed = hkdfSync('sha512', masterSecret(), 'so-tay ballot key v1', `motion ${motionId}`, 64);
    key = keyPairFromSeed(new Uint8Array(seed));
    if (perMotion.size > 10_000) perMotion.clear();
    perMotion.set(motionId, key);
  }
  return key;
}

/** Read at first use, then kept in memory only. */
function masterSecret(env: NodeJS.ProcessEnv = process.env): Buffer {
  if (master) return master;
  if (env.BALLOT_KEY) {
    if (env.BALLOT_KEY.length < 32)
      throw new AppError('startup', 'BALLOT_KEY phải dài ít nhất 32 ký tự (khóa mã hóa phiếu kín).');
    master = Buffer.from(env.BALLOT_KEY, 'utf8');
    return master;
  }
  const file = path.resolve(env.BALLOT_KEY_FILE ?? path.join(env.DATA_DIR ?? './data', 'ballot.key'));
  master = readOrCreate(file);
  return master;
}

function readOrCreate(file: string): Buffer {
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx': two processes starting at once do not overwrite each other's key
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
