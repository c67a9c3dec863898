import crypto from 'node:crypto';

/**
 * Signed, expiring links for pages opened from chat (documents, notices) on any browser:
 * the path carries its subject, the reader and an expiry, and an HMAC over all three.
 */
export function signLink(secret: string, parts: (string | number)[], expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${parts.join('/')}/${exp}/${sign(secret, parts, exp)}`;
}

/** The parts when the signature is right and the link has not expired, else null. */
export function verifyLink(
  secret: string,
  parts: string[],
  exp: string,
  signature: string,
  now: Date,
): string[] | null {
  const expiry = Number(exp);
  if (!Number.isSafeInteger(expiry) || expiry * 1000 < now.getTime()) return null;
  const expected = sign(secret, parts, expiry);
  if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected)))
    return null;
  return parts;
}

const sign = (secret: string, parts: (string | number)[], exp: number) =>
  crypto
    .createHmac('sha256', secret)
    .update(`${parts.join('/')}|${exp}`)
    .digest('base64url')
    .slice(0, 32);
