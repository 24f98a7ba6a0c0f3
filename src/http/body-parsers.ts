import type { FastifyInstance } from 'fastify';

/**
 * Signoff's APIs read JSON bodies only. Fastify's built-in text/plain parser would hand a route a
 * string, which its schema then refuses as "must be object"; without it a text/plain body gets the
 * same 415 as any other type that is not JSON.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
}
