import { DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import { type RemovalAction, checkMayAct, isRemoval } from '../domain/lifecycle.js';
import type { AccessRequest } from '../domain/request.js';
import { activeAssignmentFor, endAssignment } from '../store/assignments-repo.js';
import { insertRequest } from '../store/requests-repo.js';
import { WriteConflictError } from '../store/store.js';
import type { Caller } from './authorization.js';
import { endedEvent } from './provision.js';
import { recordEvents } from './record-events.js';
import { type RequestView, type SubmitInput, submitRequest } from './requests.js';
import type { Actor, Services } from './services.js';

/**
 * Ends an active assignment before its schedule does: the principal deactivating their own, or an
 * administrator removing anyone's. Recorded as a request of its own, `Revoked` at once, as Graph shows it.
 */
export async function endAssignmentEarly(services: Services, actor: Actor & { userId: string }, input: SubmitInput & { action: RemovalAction }): Promise<RequestView> {
  return services.store.transaction(async (tx) => {
    const now = services.clock.now();
    const active = await activeAssignmentFor(tx, input.target, input.principalId, now);
    if (!active) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'There is no active assignment for this principal and target.');
    await endAssignment(tx, active.id, now).catch((error: unknown) => {
      // Its schedule (or another request) ended it between the read and the write.
      if (error instanceof WriteConflictError) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'The assignment has already ended.');
      throw error;
    });
    const id = input.id ?? services.newId();
    const request: AccessRequest = {
      id, target: input.target, action: input.action, principalId: input.principalId, createdBy: actor.userId,
      justification: input.justification, ticket: input.ticket,
      schedule: { startAt: now, endAt: null, expirationType: 'notSpecified', duration: null },
      status: 'Revoked', approvalId: null, policyId: null, policyVersion: null, createdAt: now, completedAt: now,
    };
    await insertRequest(tx, request, input.extra ?? {});
    const reason = input.action === 'selfDeactivate' ? 'deactivated' : 'removed';
    const events: DomainEvent[] = [
      { type: 'request.created', family: input.target.family, requestId: id, data: { action: input.action, principalId: input.principalId, resourceId: input.target.resourceId, scope: input.target.scope, justification: input.justification } },
      endedEvent(active, id, now, reason),
    ];
    await recordEvents(tx, services, actor, events, now, new Map([[active.id, { before: { status: 'Active', endAt: active.end_at }, after: { status: 'Ended', endAt: now, reason } }]]));
    return { request: { request, extra: input.extra ?? {}, version: 1 }, approval: null };
  });
}

/**
 * Every PIM schedule request action in one place: who may ask is checked first, then removals end
 * an assignment and everything else (activate, assign, extend, renew) goes through submitRequest.
 */
export async function submitScheduleRequest(
  services: Services, actor: Actor & { userId: string }, caller: Caller, input: SubmitInput,
  submit: (input: SubmitInput) => Promise<RequestView> = (i) => submitRequest(services, actor, i),
): Promise<RequestView> {
  checkMayAct(input.action, input.principalId, caller.userId, caller.isAdmin);
  if (isRemoval(input.action)) return endAssignmentEarly(services, actor, { ...input, action: input.action });
  return submit(input);
}
