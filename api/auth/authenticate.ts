import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Principal } from './principal.ts';
import { API_TOKEN_PREFIX, findPrincipalByToken } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * A token's principal is remembered for a few seconds: on a meeting evening every member
 * sends several requests in a row, and a database round trip per request for the same token
 * is the largest single cost. A revoked or expired token stops working within that time.
 */
const CACHE_MS = 10_000;
const CACHE_MAX = 50_000;
const recent = new Map<string, { principal: Principal; until: number }>();

async function principalFor(deps: Deps, token: string): Promise<Principal | undefined> {
  const now = Date.now();
  const hit = recent.get(token);
  if (hit && hit.until > now) return hit.principal;
  const principal = await findPrincipalByToken(deps.db, token, deps.clock.now());
  if (principal) {
    if (recent.size >= CACHE_MAX) recent.delete(recent.keys().next().value!);
    recent.set(token, { principal, until: now + CACHE_MS });
  }
  return principal;
}

/** Resolves `Authorization: Bearer <token>` to a principal on every request (null when absent). */
export function authenticate(app: FastifyInstance, deps: Deps) {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // Other bearer tokens (the web chat's session tokens) are checked by their own routes.
    if (match && !match[1].startsWith(API_TOKEN_PREFIX)) return;
    const principal = match ? await principalFor(deps, match[1]) : undefined;
    if (!principal)
      throw new AppError('unauthorized', 'Mã truy cập không hợp lệ hoặc đã hết hạn (invalid or expired token).');
    request.principal = principal;
  });
}

/** The caller, or 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'Cần mã truy cập: Authorization: Bearer <token>.');
  return request.principal;
}
