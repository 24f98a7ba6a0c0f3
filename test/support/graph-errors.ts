import { expect } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import type { ApiResponse } from './http.js';

/** Asserts a response is the catalogue's answer for `code`, in Graph's error envelope with its request ids. */
export function expectGraphError(res: ApiResponse, code: keyof typeof GRAPH_ERRORS): void {
  const entry = GRAPH_ERRORS[code];
  expect(res.status, res.text).toBe(entry.status);
  expect(res.body.error.code).toBe(entry.code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
  // Graph routes echo client-request-id as a header; Signoff's own API carries it in the body only.
  const echoed = res.headers.get('client-request-id');
  if (echoed !== null) expect(res.body.error.innerError['client-request-id']).toBe(echoed);
  expect(res.body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
}
