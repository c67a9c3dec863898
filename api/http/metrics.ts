import crypto from 'node:crypto';
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * Prometheus metrics on their own registry (several apps can live in one test process).
 * /metrics is not open: it answers only `Authorization: Bearer <METRICS_TOKEN>` (Prometheus's
 * `authorization` in its scrape config); without METRICS_TOKEN it answers nobody. Routes,
 * statuses and timings tell an attacker what is used and when.
 */
export function registerMetrics(app: FastifyInstance, token: string | null | undefined) {
  const register = new client.Registry();
  client.collectDefaultMetrics({ register });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [register],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const expected = token ? crypto.createHash('sha256').update(`Bearer ${token}`).digest() : null;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const given = crypto
      .createHash('sha256')
      .update(String(request.headers.authorization ?? ''))
      .digest();
    if (!expected || !crypto.timingSafeEqual(given, expected)) {
      throw new AppError('unauthorized', 'Số liệu /metrics cần mã METRICS_TOKEN (Authorization: Bearer <mã>).', {
        detail: expected ? 'wrong or missing metrics token' : 'METRICS_TOKEN not set',
      });
    }
    reply.header('content-type', register.contentType);
    return register.metrics();
  });
  return register;
}
