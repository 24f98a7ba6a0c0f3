import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';

/** The first key, as a property path, that the prototype-poisoning guard refuses: `__proto__`, or `constructor` holding `prototype`. */
function poisonedKeyIn(value: unknown): string | null {
  // Iterative: a refused body may be nested as deep as the body limit allows.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    for (const [key, inner] of Object.entries(next.value)) {
      const path = next.path ? `${next.path}.${key}` : key;
      if (key === '__proto__') return path;
      if (key === 'constructor' && typeof inner === 'object' && inner !== null && Object.hasOwn(inner, 'prototype')) return `${path}.prototype`;
      pending.push({ value: inner, path });
    }
  }
  return null;
}

/** Why Fastify's JSON parser refused `text`, when the reason is a poisoning key rather than bad JSON. */
function poisonedKey(text: string): string | null {
  try {
    return poisonedKeyIn(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch {
    return null;
  }
}

/**
 * Signoff's APIs read JSON bodies only. Fastify's built-in text/plain parser would hand a route a
 * string, which its schema then refuses as "must be object"; without it a text/plain body gets the
 * same 415 as any other type that is not JSON. Fastify's JSON parser stays, with its guard against
 * prototype poisoning, but a body it refuses for a `__proto__` key is told so, not that it is not JSON.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    json(request, body as string, (error, value) => {
      const key = error ? poisonedKey(body as string) : null;
      if (key) done(new ApiError('BAD_REQUEST', `The property name '${key}' is not allowed in a request body.`), undefined);
      else done(error, value);
    });
  });
}
