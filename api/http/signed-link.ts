import crypto from 'node:crypto';

/**
 * Signed, expiring links for pages opened from chat (documents, notices) on any browser:
 * the path carries its subject, the reader and an expiry, and an HMAC over the link's
 * purpose and all three. The purpose is signed but not written in the link: a notice link
 * re-typed to the meeting-document route fails its signature there, and the other way round.
 */
export type LinkPurpose = 'notice' | 'meeting-document' | 'ballot-board';

export function signLink(secret: string, purpose: LinkPurpose, parts: (string | number)[], expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${parts.join('/')}/${exp}/${sign(secret, purpose, parts, exp)}`;
}

/** The parts when the signature is right for this purpose and the link has not expired, else null. */
export function verifyLink(
  secret: string,
  purpose: LinkPurpose,
  parts: string[],
  exp: string,
  signature: string,
  now: Date,
): string[] | null {
  if (!/^\d{1,12}$/.test(exp) || parts.some((p) => !/^\d{1,12}$/.test(p))) return null;
  const expiry = Number(exp);
  if (expiry * 1000 < now.getTime()) return null;
  const expected = sign(secret, purpose, parts, expiry);
  if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected)))
    return null;
  return parts;
}

const SIGNATURE_LENGTH = 32;

const sign = (secret: string, purpose: LinkPurpose, parts: (string | number)[], exp: number) =>
  crypto
    .createHmac('sha256', secret)
    .update(`${purpose}|${parts.join('/')}|${exp}`)
    .digest('base64url')
    .slice(0, SIGNATURE_LENGTH);

/**
 * A URL or path with every signed-link signature replaced by "[redacted]", for logs: whoever
 * reads the log must not be able to open a member's document or notice.
 */
export function redactSignedLinks(url: string): string {
  return url.replace(
    new RegExp(`/(\\d{1,12})/[A-Za-z0-9_-]{${SIGNATURE_LENGTH}}(?=[/?#]|$)`, 'g'),
    (_m, exp) => `/${exp}/[redacted]`,
  );
}
