import type { Approval } from '../domain/approval.js';
import { type BreakGlassSettings, reviewStage, validateBreakGlass, validateBreakGlassSettings } from '../domain/break-glass.js';
import { createApproval } from '../domain/decision.js';
import { DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import { type AccessRequest, FAMILIES, type Target } from '../domain/request.js';
import { resolveApprovers } from '../directory/resolve-approvers.js';
import { insertStages, loadStagesFor, syncInbox } from '../store/approvals-repo.js';
import { lockAccess } from '../store/access-lock.js';
import { activeAssignmentFor } from '../store/assignments-repo.js';
import { getBreakGlassSettings, saveBreakGlassSettings } from '../store/break-glass-repo.js';
import { getResource, isEligible, policyFor } from '../store/policies-repo.js';
import { getRequest, hasOpenRequest, insertRequest, listRequests } from '../store/requests-repo.js';
import { assembleApproval } from './approvals.js';
import { type Caller, mayReadRequest } from './authorization.js';
import { loadPolicy } from './policies.js';
import { provisionGrant } from './provision.js';
import { recordEvents } from './record-events.js';
import type { RequestView } from './requests.js';
import type { Actor, Services } from './services.js';

/** An administrator allows (or stops allowing) emergency activation under a policy. */
export async function setBreakGlassSettings(services: Services, actor: Actor & { userId: string }, caller: Caller, policyId: string, settings: BreakGlassSettings): Promise<BreakGlassSettings> {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only an administrator may change break-glass settings.');
  validateBreakGlassSettings(settings);
  return services.store.transaction(async (tx) => {
    const now = services.clock.now();
    const stored = await loadPolicy(tx, policyId, FAMILIES);
    const before = await getBreakGlassSettings(tx, policyId);
    await saveBreakGlassSettings(tx, policyId, settings, now, actor.userId);
    const event: DomainEvent = {
      type: 'policy.updated', family: stored.target.family, requestId: null, policyId,
      data: { breakGlass: settings, resourceId: stored.target.resourceId, scope: stored.target.scope },
    };
    await recordEvents(tx, services, actor, [event], now, new Map([[policyId, { before: { breakGlass: before }, after: { breakGlass: settings } }]]));
    return settings;
  });
}

export async function getBreakGlassSettingsFor(services: Services, caller: Caller, policyId: string): Promise<BreakGlassSettings | null> {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only an administrator may read break-glass settings.');
  await loadPolicy(services.store.db, policyId, FAMILIES);
  return getBreakGlassSettings(services.store.db, policyId);
}

export interface BreakGlassActivation {
  readonly target: Target;
  readonly justification: string;
  readonly duration: string | null;
}

/**
 * Emergency access for the caller, granted at once under a policy that allows it, with an
 * after-the-fact review opened as an approval: its reviewers' Deny or an unanswered deadline revokes it.
 */
export async function activateBreakGlass(services: Services, actor: Actor & { userId: string }, input: BreakGlassActivation): Promise<RequestView> {
  return services.store.transaction(async (tx) => {
    const { target } = input;
    const principalId = actor.userId;
    await lockAccess(tx, services.store.dialect, target, principalId);
    const now = services.clock.now();
    if (!(await getResource(tx, target.family, target.resourceId))) {
      throw new DomainError('TARGET_NOT_FOUND', `'${target.resourceId}' does not exist or is not governed by Signoff.`);
    }
    const policy = await policyFor(tx, target);
    const settings = policy ? await getBreakGlassSettings(tx, policy.policy.id) : null;
    const schedule = validateBreakGlass(settings, { justification: input.justification, duration: input.duration, now });
    if (!(await isEligible(tx, target, principalId, now))) {
      throw new DomainError('NOT_ELIGIBLE', 'The principal is not eligible for this role or group at this scope.', { rules: ['EligibilityRule'] });
    }
    if (await activeAssignmentFor(tx, target, principalId, now)) throw new DomainError('ASSIGNMENT_EXISTS', 'The Role assignment already exists.');
    if (await hasOpenRequest(tx, target, principalId)) {
      throw new DomainError('PENDING_REQUEST_EXISTS', 'There is already an existing pending request for this principal and target.');
    }
    const id = services.newId();
    const request: AccessRequest = {
      id, target, action: 'breakGlass', principalId, createdBy: principalId, justification: input.justification, ticket: null, schedule,
      status: 'Granted', approvalId: id, policyId: policy!.policy.id, policyVersion: policy!.policy.version, createdAt: now, completedAt: null,
    };
    await insertRequest(tx, request, {});
    const stage = reviewStage(settings!);
    const reviewers = await resolveApprovers(tx, stage, principalId, now);
    const created = createApproval({ id, family: target.family, requestorId: principalId, stageIds: [services.newId()], stages: [stage], now }, () => reviewers);
    await insertStages(tx, created.approval);
    await syncInbox(tx, { approval: created.approval, family: target.family, stages: created.approval.stages, createdAt: now, now });
    const granted = await provisionGrant(tx, services, { request, extra: {}, version: 1 }, now);
    const events: DomainEvent[] = [
      { type: 'request.created', family: target.family, requestId: id, data: { action: 'breakGlass', principalId, resourceId: target.resourceId, scope: target.scope, justification: input.justification, startAt: schedule.startAt, endAt: schedule.endAt, policyId: request.policyId, policyVersion: request.policyVersion } },
      { type: 'breakGlass.activated', family: target.family, requestId: id, data: { principalId, endAt: schedule.endAt, reviewDeadline: created.approval.stages[0]!.expireAt, reviewers: created.approval.stages[0]!.approverIds } },
      ...created.events,
      ...granted.events,
    ];
    await recordEvents(tx, services, actor, events, now);
    return { request: granted.stored, approval: created.approval };
  });
}

/** Emergency activations: administrators see all, everyone else their own (reviewers find theirs in the inbox). */
export async function listBreakGlassForCaller(services: Services, caller: Caller, limit: number, after: { createdAt: string; id: string } | null): Promise<{ items: RequestView[]; next: { createdAt: string; id: string } | null }> {
  const db = services.store.db;
  const page = await listRequests(db, { families: FAMILIES, action: 'breakGlass', limit, after, ...(caller.isAdmin ? {} : { principalId: caller.userId }) });
  const stages = await loadStagesFor(db, page.items.map((r) => r.request.id));
  return { items: page.items.map((stored) => ({ request: stored, approval: assembleApproval(stored, stages.get(stored.request.id) ?? []) })), next: page.next };
}

export async function getBreakGlassForCaller(services: Services, caller: Caller, id: string): Promise<RequestView & { approval: Approval }> {
  const db = services.store.db;
  const stored = await getRequest(db, id);
  if (!stored || stored.request.action !== 'breakGlass') throw new DomainError('REQUEST_NOT_FOUND', `Break-glass activation '${id}' was not found.`);
  const approval = assembleApproval(stored, (await loadStagesFor(db, [id])).get(id) ?? []);
  if (!mayReadRequest(caller, stored.request, approval)) throw new DomainError('ACCESS_DENIED', 'The caller may not read this activation.');
  return { request: stored, approval };
}
