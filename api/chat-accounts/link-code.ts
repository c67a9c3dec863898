import crypto from 'node:crypto';

/**
 * One-time link codes: 10 Crockford base32 characters (50 bits), typed on a phone as
 * "ABCDE-FGHJK". Ambiguous letters are folded on input (O→0, I/L→1) so a code read aloud
 * or typed in lowercase still works.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LINK_CODE_LENGTH = 10;

export function generateLinkCode(): string {
  const bytes = crypto.randomBytes(LINK_CODE_LENGTH);
  let code = '';
  for (const b of bytes) code += ALPHABET[b & 31];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Canonical form of what a member typed, or null when it cannot be a code. */
export function normalizeLinkCode(typed: string): string | null {
  const c = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (c.length !== LINK_CODE_LENGTH) return null;
  for (const ch of c) if (!ALPHABET.includes(ch)) return null;
  return c;
}

export function hashLinkCode(canonical: string): string {
  return crypto.createHash('sha256').update(`link:${canonical}`).digest('hex');
}
