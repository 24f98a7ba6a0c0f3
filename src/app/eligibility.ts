import type { ExpirationInput } from '../domain/activation.js';
import { type EligibilityAction, validateEligibilityRequest } from '../domain/eligibility.js';
import { DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import type { Family, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import { findUser } from '../directory/directory-repo.js';
import { currentEligibility, insertEligibility, lastEligibilityEnd, listEligibilities, listEligibilitySchedules, setEligibilitySchedule } from '../store/eligibilities-repo.js';
import { type EligibilityRequest, getEligibilityRequest, insertEligibilityRequest, listEligibilityRequests } from '../store/eligibility-requests-repo.js';
import { getResource } from '../store/policies-repo.js';
import type { EligibilityRow } from '../store/schema.js';
import type { Db } from '../store/store.js';
import type { Caller } from './authorization.js';
import { recordEvents } from './record-events.js';
import type { Actor, Services } from './services.js';

export interface EligibilityChange {
  readonly action: EligibilityAction;
  readonly target: Target;
  readonly principalId: string;
  readonly justification: string | null;
  readonly startDateTime: string | null;
  readonly expiration: ExpirationInput | null;
}

/**
 * Applies one eligibility change in the caller's transaction and returns the request it records
 * with its events. The tenant seed makes its eligibilities through this same function.
 */
export async function applyEligibilityChange(
  tx: Db, newId: () => string, createdBy: string | null, change: EligibilityChange, now: Instant,
): Promise<{ request: EligibilityRequest; events: DomainEvent[] }> {
  const { target, principalId } = change;
  if (!(await getResource(tx, target.family, target.resourceId))) {
    throw new DomainError('TARGET_NOT_FOUND', `'${target.resourceId}' does not exist or is not governed by Signoff.`);
  }
  if (!(await findUser(tx, principalId))) throw new DomainError('PRINCIPAL_NOT_FOUND', `Principal '${principalId}' does not exist in the directory.`);
  const current = await currentEligibility(tx, target, principalId, now);
  const lastEndedAt = change.action === 'adminRenew' ? await lastEligibilityEnd(tx, target, principalId, now) : null;
  const schedule = validateEligibilityRequest(
    { action: change.action, startDateTime: change.startDateTime, expiration: change.expiration, now },
    { current: current ? { startAt: current.start_at, endAt: current.end_at } : null, lastEndedAt },
  );
  const id = newId();
  const base = { family: target.family, requestId: null, data: { action: change.action, requestId: id, principalId, resourceId: target.resourceId, scope: target.scope } };
  let eligibilityId: string;
  let event: DomainEvent;
  if (schedule === null) {
    eligibilityId = current!.id;
    await setEligibilitySchedule(tx, eligibilityId, current!.start_at, now);
    event = { ...base, type: 'eligibility.removed', eligibilityId, data: { ...base.data, endAt: now } };
  } else if (current) {
    eligibilityId = current.id;
    await setEligibilitySchedule(tx, eligibilityId, schedule.startAt, schedule.endAt);
    event = { ...base, type: 'eligibility.updated', eligibilityId, data: { ...base.data, startAt: schedule.startAt, endAt: schedule.endAt, previousEndAt: current.end_at } };
  } else {
    eligibilityId = newId();
    await insertEligibility(tx, {
      id: eligibilityId, family: target.family, principal_id: principalId, resource_id: target.resourceId, scope: target.scope,
      start_at: schedule.startAt, end_at: schedule.endAt, created_at: now, request_id: id,
    });
    event = { ...base, type: 'eligibility.created', eligibilityId, data: { ...base.data, startAt: schedule.startAt, endAt: schedule.endAt } };
  }
  const request: EligibilityRequest = {
    id, action: change.action, target, principalId, createdBy, justification: change.justification, schedule,
    status: schedule === null ? 'Revoked' : 'Provisioned', eligibilityId, createdAt: now, completedAt: now,
  };
  await insertEligibilityRequest(tx, request);
  return { request, events: [event] };
}

/** An administrator makes, changes or removes an eligibility; it takes effect at once. */
export async function submitEligibilityRequest(services: Services, actor: Actor & { userId: string }, caller: Caller, change: EligibilityChange): Promise<EligibilityRequest> {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only an administrator may change eligibilities.');
  return services.store.transaction(async (tx) => {
    const now = services.clock.now();
    const { request, events } = await applyEligibilityChange(tx, services.newId, actor.userId, change, now);
    await recordEvents(tx, services, actor, events, now);
    return request;
  });
}

/** Administrators see every request; everyone else (and `filterByCurrentUser(on='principal')`) their own. */
export async function listEligibilityRequestsForCaller(services: Services, caller: Caller, args: { family: Family; onlyOwn: boolean; limit: number; after: { createdAt: string; id: string } | null }) {
  const own = args.onlyOwn || !caller.isAdmin;
  return listEligibilityRequests(services.store.db, { family: args.family, limit: args.limit, after: args.after, ...(own ? { principalId: caller.userId } : {}) });
}

export async function getEligibilityRequestForCaller(services: Services, caller: Caller, family: Family, id: string): Promise<EligibilityRequest> {
  const request = await getEligibilityRequest(services.store.db, id);
  if (!request || request.target.family !== family) throw new DomainError('REQUEST_NOT_FOUND', `Request '${id}' was not found.`);
  if (!caller.isAdmin && caller.userId !== request.principalId) throw new DomainError('ACCESS_DENIED', 'The caller may not read this request.');
  return request;
}

/** Listing reads are bounded; these lists are per caller (or per tenant for administrators). */
const LIST_LIMIT = 1000;

/** Schedules (in force or starting later) or instances (in force now), the caller's own unless an administrator. */
export async function listEligibilitiesForCaller(services: Services, caller: Caller, family: Family, kind: 'schedules' | 'instances'): Promise<EligibilityRow[]> {
  const query = { family, limit: LIST_LIMIT, ...(caller.isAdmin ? {} : { principalId: caller.userId }) };
  const now = services.clock.now();
  return kind === 'schedules'
    ? listEligibilitySchedules(services.store.db, { ...query, now })
    : listEligibilities(services.store.db, { ...query, activeAt: now });
}
