/**
 * Security headers on every response through helmet: a Content-Security-Policy
 * that allows scripts only from this origin, no framing (frame-ancestors 'none'),
 * X-Content-Type-Options: nosniff, no referrer across origins, and the rest of helmet's
 * defaults.
 *
 * The web chat is one self-contained page for old phones, with one inline <script>. Instead
 * of allowing every inline script, a constant page registers its scripts once
 * (`allowInlineScriptsOf`), and an HTML response's CSP lists the SHA-256 of those registered
 * scripts it contains. A script injected into a page, or a `javascript:` link, does not run.
 *
 * helmet's middleware is built once and run on each request's raw response. (@fastify/helmet
 * builds it again for every request — parsing the policy each time, about 5 % of a vote's
 * time in the service on a meeting evening — and offers nothing here beyond that.)
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const HEADER = 'content-security-policy';

export async function registerSecurityHeaders(app: FastifyInstance) {
  const swaggerCsp = (app as FastifyInstance & { swaggerCSP?: { script: string[]; style: string[] } }).swaggerCSP;
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", ...(swaggerCsp?.script ?? [])],
        // Inline style attributes keep the pages one file; styles cannot run code.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'font-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    // The web views are opened from chat apps' in-app browsers; nothing cross-origin is embedded.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', (request, reply, done) =>
    setHeaders(request.raw, reply.raw, (e) => done(e as Error | undefined)),
  );

  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      return payload;
    }
    const hashes = inlineScriptHashes(payload).filter((h) => allowed.has(h));
    const csp = reply.getHeader(HEADER);
    if (hashes.length && typeof csp === 'string') {
      reply.header(
        HEADER,
        csp.replace(/script-src ([^;]*)/, (_m, list) => `script-src ${list} ${hashes.join(' ')}`),
      );
    }
    return payload;
  });
}

const allowed = new Set<string>();

/** Lets the inline scripts of this constant page run wherever it is served. */
export function allowInlineScriptsOf(html: string): void {
  for (const h of inlineScriptHashes(html)) allowed.add(h);
}

/** `'sha256-…'` source expressions for every inline <script> of a page. */
export function inlineScriptHashes(html: string): string[] {
  if (!html.includes('<script')) return [];
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  }
  return hashes;
}
