import { expect } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';

/** A refusal in Graph's envelope with the catalogue's status and code, tied to the response's request id. */
export function expectGraphError(res: { status: number; body: any; headers: Headers }, code: keyof typeof GRAPH_ERRORS): void {
  const entry = GRAPH_ERRORS[code];
  expect(res.status, JSON.stringify(res.body)).toBe(entry.status);
  expect(res.body.error.code).toBe(entry.code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
  expect(res.body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
}
