import crypto from 'node:crypto';
import { constantTimeEqual } from '../webhook-secret.ts';

/**
 * A web-chat session is a random id (the chat account's external id) and its HMAC, so the
 * server keeps no session table and a token cannot be forged or altered.
 */
export function issueWebToken(secret: string): { webId: string; token: string } {
  const webId = crypto.randomBytes(16).toString('base64url');
  return { webId, token: `w.${webId}.${sign(secret, webId)}` };
}

export function verifyWebToken(secret: string, token: string | undefined): string | null {
  const m = /^w\.([\w-]{10,64})\.([\w-]{20,100})$/.exec(token ?? '');
  if (!m) return null;
  return constantTimeEqual(m[2], sign(secret, m[1])) ? m[1] : null;
}

const sign = (secret: string, webId: string) =>
  crypto.createHmac('sha256', secret).update(`webchat:${webId}`).digest('base64url');
