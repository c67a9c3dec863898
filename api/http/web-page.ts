/**
 * Pages a member opens from chat in any browser (a notice's web view): forms posted the way a
 * browser posts them, and errors answered as a short Vietnamese page rather than JSON.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { describeHttpError, sendErrorPage } from './errors.ts';

/** The look every such page shares: large serif text that an old phone shows well. */
export const PAGE_STYLE =
  'body{font:18px/1.6 Georgia,"Times New Roman",serif;max-width:780px;margin:0 auto;padding:1em;color:#111}' +
  'h1{font-size:1.35em}.k{color:#b71c1c;font-weight:bold}button{font:inherit;padding:.4em 1em}' +
  '.ok{background:#e8f5e9;border-left:4px solid #2e7d32;padding:.5em .8em}';

/**
 * Makes an encapsulated route scope a browser's: a plain form post (urlencoded, with or without
 * fields — routes here read none) is accepted, and any error becomes a Vietnamese page.
 */
export async function asBrowserPages(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: 4096 });
  app.setErrorHandler(async (error, request, reply) =>
    sendErrorPage(reply, describeHttpError(error as Error, request)),
  );
}
