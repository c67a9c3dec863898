import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { throttle } from '../throttle/throttle.ts';
import type { Principal } from './principal.ts';
import { API_TOKEN_PREFIX, findTokenPrincipal, hashSecret } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    principalCache: PrincipalCache;
  }
}

/**
 * A token's principal is remembered for PRINCIPAL_CACHE_MS: on a meeting evening every member
 * sends several requests in a row, and a database round trip per request for the same token
 * is the largest single cost. A token revoked through this instance's API stops at once; one
 * revoked elsewhere (another instance, the command line) stops within PRINCIPAL_CACHE_MS; an
 * expiring token is never remembered past its expiry. Entries are keyed by the token's hash,
 * so no plain token is kept in memory.
 */
export const PRINCIPAL_CACHE_MS = 10_000;
const CACHE_MAX = 50_000;

export class PrincipalCache {
  private entries = new Map<string, { principal: Principal; tokenId: number; until: number }>();

  get(hash: string, now: number): Principal | undefined {
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) return hit.principal;
    if (hit) this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, value: { principal: Principal; tokenId: number; expiresAt: Date }, now: number) {
    if (this.entries.size >= CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
    const until = Math.min(now + PRINCIPAL_CACHE_MS, value.expiresAt.getTime());
    this.entries.set(hash, { principal: value.principal, tokenId: value.tokenId, until });
  }

  /** Forgets a revoked token at once. */
  forgetToken(tokenId: number) {
    for (const [hash, e] of this.entries) if (e.tokenId === tokenId) this.entries.delete(hash);
  }
}

/** Resolves `Authorization: Bearer <token>` to a principal on every request (null when absent). */
export function authenticate(app: FastifyInstance, deps: Deps) {
  const cache = new PrincipalCache();
  app.decorate('principalCache', cache);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // Other bearer tokens (the web chat's session tokens) are checked by their own routes.
    if (match && !match[1].startsWith(API_TOKEN_PREFIX)) return;
    // The token is looked up first: a right token is served from any address (it has 256 bits,
    // nobody guesses one), and the hot path costs one lookup, or none when cached. Only unknown
    // tokens touch the throttle, per client address: refused once the address is past its limit.
    const principal = match ? await principalFor(deps, cache, match[1]) : undefined;
    if (!principal) {
      const guard = throttle(deps.db, 'bearerToken');
      await guard.check(request.ip);
      await guard.fail(request.ip);
      throw new AppError('unauthorized', 'Mã truy cập không hợp lệ hoặc đã hết hạn (invalid or expired token).');
    }
    request.principal = principal;
  });
}

async function principalFor(deps: Deps, cache: PrincipalCache, token: string): Promise<Principal | undefined> {
  const now = deps.clock.now();
  const hash = hashSecret(token);
  const hit = cache.get(hash, now.getTime());
  if (hit) return hit;
  const found = await findTokenPrincipal(deps.db, token, now);
  if (found) cache.set(hash, found, now.getTime());
  return found?.principal;
}

/** The caller, or 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'Cần mã truy cập: Authorization: Bearer <token>.');
  return request.principal;
}
