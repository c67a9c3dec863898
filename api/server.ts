/**
 * Builds the Fastify app: validation, errors, logging, auth, docs, metrics, health, and the
 * feature routes. Channels (webhooks, web chat) arrive as extra plugins from the composition
 * root (api/main.ts) so that nothing under api/ depends on bot/.
 */
import crypto from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Deps } from './context.ts';
import { validatorCompiler } from './http/validation.ts';
import { handleHttpError, handleNotFound } from './http/errors.ts';
import { registerMetrics } from './http/metrics.ts';
import { registerHealth } from './http/health.ts';
import { authenticate } from './auth/authenticate.ts';
import { DEFAULT_BODY_LIMIT, registerUploads } from './http/uploads.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { FEATURE_ROUTES } from './features.ts';

export type App = FastifyInstance;

export interface ServerOptions {
  /** Extra route plugins (webhooks, web chat) mounted beside the API. */
  plugins?: FastifyPluginAsync[];
  /** Told of every route as it is registered (the authorization matrix test walks them). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

export async function buildServer(deps: Deps, options: ServerOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : crypto.randomUUID();
    },
    // Each route's own limit is set in http/uploads.ts; this is the small default.
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Behind a reverse proxy, the client address (throttles key on it) comes from X-Forwarded-For.
    trustProxy: trustProxyOption(deps.config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.onRoute) app.addHook('onRoute', options.onRoute);

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleHttpError);
  app.setNotFoundHandler(handleNotFound);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Sổ tay Đảng viên — bot service API',
        version: '0.1.0',
        description:
          'Tổ chức đảng, đảng viên, sinh hoạt chi bộ, thông báo và Trợ lý ảo. ' +
          'Xác thực: `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await registerSecurityHeaders(app);

  authenticate(app, deps);
  await registerUploads(app);
  registerMetrics(app, deps.config.metricsToken);

  app.get('/health', { schema: { hide: true } }, async () => {
    await deps.db.query('select 1');
    return { status: 'ok', database: deps.db.kind };
  });
  registerHealth(app, deps.db);

  for (const routes of FEATURE_ROUTES) await app.register(routes, { deps });
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

/**
 * TRUST_PROXY as Fastify takes it. A number of hops becomes "trust the socket's peer and the
 * hops before it, no more": the client is the address the outermost trusted proxy appended to
 * X-Forwarded-For, never an entry the client wrote itself. (Fastify's own number option
 * trusts nothing, and its `true` trusts every entry.)
 */
function trustProxyOption(value: Deps['config']['trustProxy']) {
  if (typeof value === 'number') return (_address: string, hop: number) => hop < value;
  return value ?? false;
}
