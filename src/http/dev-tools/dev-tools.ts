import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { EmulatorState } from '../../app/emulator-state.js';
import { FAULT_HEADER, sendFault } from './fault-answer.js';
import { FaultRules } from './fault-rules.js';
import { RequestLog } from './request-log.js';

/** The emulator's power tools: state controls, injected faults and the request log. */
export interface DevTools {
  readonly state: EmulatorState;
  readonly faults: FaultRules;
  readonly requests: RequestLog;
}

export function createDevTools(state: EmulatorState, requestLogCapacity = 1000): DevTools {
  return { state, faults: new FaultRules(), requests: new RequestLog(requestLogCapacity) };
}

// The tools themselves and the operational probes are never faulted, or a test could not undo a rule.
const NEVER_FAULTED = /^\/(dev\/|healthz|readyz|metrics)/;
// Reading the log must not fill it; probes would drown what a developer is looking for.
const NOT_LOGGED = /^\/(dev\/requests|healthz|readyz|metrics)/;

/**
 * Root hooks, registered before any API plugin: a fault answers before authentication, and the
 * log sees every answer, injected or not.
 */
export function registerDevToolHooks(app: FastifyInstance, tools: DevTools): void {
  app.addHook('onRequest', async (request, reply) => {
    if (NEVER_FAULTED.test(request.url)) return;
    const action = tools.faults.decide(request.method, request.url.split('?')[0]!);
    if (!action) return;
    reply.header(FAULT_HEADER, action.rule.id);
    if (action.delayMs > 0) await sleep(action.delayMs);
    if (action.status !== null) return sendFault(request, reply, action.rule, action.status);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!NOT_LOGGED.test(request.url)) tools.requests.keepPayload(request, payload);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!NOT_LOGGED.test(request.url)) tools.requests.record(request, reply);
  });
}
