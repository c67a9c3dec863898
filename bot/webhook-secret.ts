import crypto from 'node:crypto';

/** Compares two secrets in constant time, whatever their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * The secret a platform must echo on each webhook call. Derived from the service's link
 * secret and the bot key unless WEBHOOK_SECRET is set, so nothing extra must be configured.
 * Telegram allows 1–256 characters of A–Z, a–z, 0–9, _ and -.
 */
export function deriveWebhookSecret(linkSecret: string, botKey: string, explicit?: string): string {
  if (explicit) return explicit;
  return crypto.createHmac('sha256', linkSecret).update(`webhook:${botKey}`).digest('base64url');
}
