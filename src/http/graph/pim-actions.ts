import type { FastifyRequest } from 'fastify';
import { submitScheduleRequest } from '../../app/assignment-lifecycle.js';
import type { RequestView, SubmitInput } from '../../app/requests.js';
import { isRemoval } from '../../domain/lifecycle.js';
import type { RequestAction } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { type GraphDeps, actorOf, callerOf } from './graph-context.js';
import { submitWithValidationOnly } from './request-input.js';

/** The assignment schedule request actions Signoff carries out, for roles and groups alike. */
export const PIM_ACTIONS = ['selfActivate', 'selfDeactivate', 'selfExtend', 'selfRenew', 'adminAssign', 'adminRemove', 'adminExtend', 'adminRenew'] as const;

/** Graph's action names compare case-insensitively; anything else is a 400 naming what is supported. */
export function pickAction<T extends string>(value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new ApiError('BAD_REQUEST', `action '${value}' is not supported; supported: ${allowed.join(', ')}.`);
  return found;
}

/** Submits a PIM assignment schedule request of any action, honouring `isValidationOnly` where it means something. */
export async function submitPimRequest(deps: GraphDeps, request: FastifyRequest, input: SubmitInput & { action: RequestAction }, validationOnly: boolean): Promise<RequestView> {
  if (validationOnly && isRemoval(input.action)) throw new ApiError('BAD_REQUEST', `isValidationOnly is not supported for ${input.action}.`);
  const actor = actorOf(request);
  return submitScheduleRequest(deps.services, actor, callerOf(request), input,
    (i) => submitWithValidationOnly(deps.services, validationOnly, actor, i));
}
