import { randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { SnapshotNotFoundError } from '../../app/emulator-state.js';
import type { Services } from '../../app/services.js';
import { ApiError } from '../api-error.js';
import { sendGraphError } from '../graph/graph-errors.js';
import type { DevTools } from './dev-tools.js';
import { type FaultRule, FaultRuleBody, type FaultRuleInput, validateFaultRule } from './fault-rules.js';

export interface DevToolsRoutesOptions {
  readonly services: Services;
  readonly tools: DevTools;
}

const MAX_FAULT_RULES = 100;

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const RequestsQuery = Type.Object({
  path: Type.Optional(Type.String({ maxLength: 500 })),
  status: Type.Optional(Type.String({ pattern: '^([1-5]xx|[1-5][0-9]{2})$' })),
  caller: Type.Optional(Type.String({ maxLength: 320 })),
  method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3,7}$' })),
  top: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$' })),
}, { additionalProperties: false });

function showRule(rule: FaultRule) {
  return {
    id: rule.id, match: rule.match, respond: rule.respond, rate: rule.rate, seed: rule.seed, times: rule.times,
    remaining: rule.times === null ? null : Math.max(0, rule.times - rule.hits), matched: rule.matched, hits: rule.hits,
  };
}

/**
 * `/dev/reset`, `/dev/snapshot…`, `/dev/faults`, `/dev/requests`: registered only in dev mode,
 * unauthenticated like `/dev/token` — the emulator has no secrets to protect from its developer.
 */
export async function devToolsRoutes(app: FastifyInstance, options: DevToolsRoutesOptions): Promise<void> {
  const { state, faults, requests } = options.tools;
  app.setErrorHandler((error, request, reply) => {
    const known = error instanceof SnapshotNotFoundError ? new ApiError('UNKNOWN_ROUTE', error.message) : error;
    return sendGraphError(known, request, reply);
  });

  app.post('/dev/reset', async () => {
    const started = performance.now();
    await state.reset();
    return { status: 'reset', tookMs: Math.round(performance.now() - started) };
  });

  app.post('/dev/snapshot', async (_request, reply) => reply.code(201).send(await state.snapshot()));
  app.get('/dev/snapshots', async () => ({ value: state.list() }));
  app.post<{ Params: Type.Static<typeof IdParams> }>('/dev/snapshot/:id/restore', { schema: { params: IdParams } }, async (request) => {
    const started = performance.now();
    const info = await state.restore(request.params.id);
    return { status: 'restored', snapshot: info, tookMs: Math.round(performance.now() - started) };
  });
  app.delete<{ Params: Type.Static<typeof IdParams> }>('/dev/snapshot/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!state.forget(request.params.id)) throw new SnapshotNotFoundError(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Body: FaultRuleInput }>('/dev/faults', { schema: { body: FaultRuleBody } }, async (request, reply) => {
    const problem = faults.list().length >= MAX_FAULT_RULES ? `At most ${MAX_FAULT_RULES} fault rules; DELETE /dev/faults clears them.` : validateFaultRule(request.body);
    if (problem) throw new ApiError('BAD_REQUEST', problem);
    const rule = faults.add(request.body, options.services.newId(), randomInt(0, 0xffffffff));
    return reply.code(201).send(showRule(rule));
  });
  app.get('/dev/faults', async () => ({ value: faults.list().map(showRule) }));
  app.delete('/dev/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.delete<{ Params: Type.Static<typeof IdParams> }>('/dev/faults/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!faults.remove(request.params.id)) throw new ApiError('UNKNOWN_ROUTE', `No fault rule '${request.params.id}'. GET /dev/faults lists them.`);
    return reply.code(204).send();
  });

  app.get<{ Querystring: Type.Static<typeof RequestsQuery> }>('/dev/requests', { schema: { querystring: RequestsQuery } }, async (request) => ({
    value: requests.list({ ...request.query, top: Number(request.query.top ?? 100) }),
  }));
  app.delete('/dev/requests', async (_request, reply) => {
    requests.clear();
    return reply.code(204).send();
  });
}
