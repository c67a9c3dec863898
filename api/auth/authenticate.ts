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

/** Resolves `Authorization: Bearer <token>` to a principal on every request (null when absent). */
export function authenticate(app: FastifyInstance, deps: Deps) {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (!header) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // Other bearer tokens (the web chat's session tokens) are checked by their own routes.
    if (match && !match[1].startsWith(API_TOKEN_PREFIX)) return;
    const principal = match ? await findPrincipalByToken(deps.db, match[1], deps.clock.now()) : undefined;
    if (!principal) throw new AppError('unauthorized', 'Mã truy cập không hợp lệ hoặc đã hết hạn (invalid or expired token).');
    request.principal = principal;
  });
}

/** The caller, or 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', 'Cần mã truy cập: Authorization: Bearer <token>.');
  return request.principal;
}
