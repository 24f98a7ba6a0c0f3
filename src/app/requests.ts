import type { ActivationInput } from '../domain/activation.js';
import type { Approval } from '../domain/approval.js';
import { cancelApproval, createApproval } from '../domain/decision.js';
import { DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import { isRenewal, requestNeedsApproval, validateScheduleRequest } from '../domain/lifecycle.js';
import type { Policy } from '../domain/policy.js';
import { type AccessRequest, type Family, type RequestAction, type Target, type Ticket, isSelfService } from '../domain/request.js';
import { findUser } from '../directory/directory-repo.js';
import { resolveApprovers } from '../directory/resolve-approvers.js';
import { insertStages, loadStages, loadStagesFor, lockStages, saveChangedStages, syncInbox } from '../store/approvals-repo.js';
import { lockAccess } from '../store/access-lock.js';
import { activeAssignmentFor, lastAssignmentEnd } from '../store/assignments-repo.js';
import { getResource, isEligible, policyFor } from '../store/policies-repo.js';
import { type RequestQuery, type StoredRequest, getRequest, hasOpenRequest, insertRequest, listRequests, setRequestStatus } from '../store/requests-repo.js';
import { WriteConflictError } from '../store/store.js';
import { assembleApproval } from './approvals.js';
import { type Caller, mayReadRequest } from './authorization.js';
import { provisionGrant } from './provision.js';
import { recordEvents } from './record-events.js';
import type { Actor, Services } from './services.js';

export interface SubmitInput {
  readonly target: Target;
  readonly action: RequestAction;
  readonly principalId: string;
  readonly justification: string | null;
  readonly ticket: Ticket | null;
  readonly startDateTime: string | null;
  readonly expiration: ActivationInput['expiration'];
  /** Wire-specific fields kept to echo back. */
  readonly extra?: Record<string, unknown>;
  /** The request's id when the client names it (ARM's resource name); a new id otherwise. */
  readonly id?: string;
}

export interface RequestView {
  readonly request: StoredRequest;
  readonly approval: Approval | null;
}

/** Where a target has no policy of its own: no approval, Entra's default 8-hour activation. */
export const DEFAULT_POLICY: Omit<Policy, 'id'> = {
  version: 0,
  approval: { mode: 'NoApproval', isRequestorJustificationRequired: false, stages: [] },
  activation: { maximumDurationMinutes: 8 * 60, isJustificationRequired: false, isTicketingRequired: false },
};

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** Validates an activation against eligibility and policy, then creates the request and, if needed, its approval. */
export async function submitRequest(services: Services, actor: Actor & { userId: string }, input: SubmitInput): Promise<RequestView> {
  try {
    return await services.store.transaction(async (tx) => {
      await lockAccess(tx, services.store.dialect, input.target, input.principalId);
      const now = services.clock.now();
      if (input.id !== undefined && (await getRequest(tx, input.id))) {
        throw new DomainError('INVALID_REQUEST', `A request named '${input.id}' already exists; each request needs a new name.`);
      }
      if (!(await getResource(tx, input.target.family, input.target.resourceId))) {
        throw new DomainError('TARGET_NOT_FOUND', `'${input.target.resourceId}' does not exist or is not governed by Signoff.`);
      }
      if (!(await findUser(tx, input.principalId))) {
        throw new DomainError('PRINCIPAL_NOT_FOUND', `Principal '${input.principalId}' does not exist in the directory.`);
      }
      const stored = await policyFor(tx, input.target);
      const policy: Policy = stored?.policy ?? { ...DEFAULT_POLICY, id: 'default' };
      const active = await activeAssignmentFor(tx, input.target, input.principalId, now);
      const schedule = validateScheduleRequest({ ...input, callerId: actor.userId, now }, {
        policy,
        isEligible: !isSelfService(input.action) || (await isEligible(tx, input.target, input.principalId, now)),
        activeAssignment: active ? { endAt: active.end_at } : null,
        lastEndedAt: isRenewal(input.action) ? await lastAssignmentEnd(tx, input.target, input.principalId) : null,
        hasOpenRequest: await hasOpenRequest(tx, input.target, input.principalId),
      });
      const id = input.id ?? services.newId();
      const needsApproval = requestNeedsApproval(policy, input.action);
      let request: AccessRequest = {
        id, target: input.target, action: input.action, principalId: input.principalId, createdBy: actor.userId,
        justification: input.justification, ticket: input.ticket, schedule, status: needsApproval ? 'PendingApproval' : 'Granted',
        approvalId: needsApproval ? id : null, policyId: stored ? policy.id : null, policyVersion: stored ? policy.version : null,
        createdAt: now, completedAt: null,
      };
      await insertRequest(tx, request, input.extra ?? {});
      let row: StoredRequest = { request, extra: input.extra ?? {}, version: 1 };
      const events: DomainEvent[] = [{
        type: 'request.created', family: input.target.family, requestId: id,
        data: { action: input.action, principalId: input.principalId, resourceId: input.target.resourceId, scope: input.target.scope, justification: input.justification, startAt: schedule.startAt, endAt: schedule.endAt, policyId: request.policyId, policyVersion: request.policyVersion },
      }];
      let approval: Approval | null = null;
      if (needsApproval) {
        const first = await resolveApprovers(tx, policy.approval.stages[0]!, input.principalId, now);
        const created = createApproval({
          id, family: input.target.family, requestorId: input.principalId, stageIds: policy.approval.stages.map(() => services.newId()),
          stages: policy.approval.stages, now,
        }, () => first);
        approval = created.approval;
        await insertStages(tx, approval);
        await syncInbox(tx, { approval, family: input.target.family, stages: approval.stages, createdAt: now, now });
        events.push(...created.events);
      } else {
        events.push({ type: 'request.granted', family: input.target.family, requestId: id, data: { reason: 'noApprovalRequired' } });
        const granted = await provisionGrant(tx, services, row, now);
        row = granted.stored;
        request = row.request;
        events.push(...granted.events);
      }
      await recordEvents(tx, services, actor, events, now);
      return { request: row, approval };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('PENDING_REQUEST_EXISTS', 'There is already an existing pending request for this principal and target.');
    }
    throw error;
  }
}

async function withApproval(services: Services, stored: StoredRequest): Promise<RequestView> {
  if (!stored.request.approvalId) return { request: stored, approval: null };
  return { request: stored, approval: assembleApproval(stored, await loadStages(services.store.db, stored.request.id)) };
}

export async function getRequestForCaller(services: Services, caller: Caller, id: string, families: readonly Family[]): Promise<RequestView> {
  const stored = await getRequest(services.store.db, id);
  if (!stored || !families.includes(stored.request.target.family)) {
    throw new DomainError('REQUEST_NOT_FOUND', `Request '${id}' was not found.`);
  }
  const view = await withApproval(services, stored);
  if (!mayReadRequest(caller, stored.request, view.approval)) {
    throw new DomainError('ACCESS_DENIED', 'The caller may not read this request.');
  }
  return view;
}

export type RequestScope = 'all' | 'principal' | 'createdBy';

/** Lists requests: administrators may list all; everyone else sees their own. */
export async function listRequestsForCaller(services: Services, caller: Caller, args: { families: readonly Family[]; scope: RequestScope; limit: number; after: RequestQuery['after']; statuses?: RequestQuery['statuses'] }): Promise<{ items: RequestView[]; next: RequestQuery['after'] }> {
  const query: RequestQuery = {
    families: args.families, limit: args.limit, after: args.after, ...(args.statuses ? { statuses: args.statuses } : {}),
    ...(args.scope === 'principal' || (args.scope === 'all' && !caller.isAdmin) ? { principalId: caller.userId } : {}),
    ...(args.scope === 'createdBy' ? { createdBy: caller.userId } : {}),
  };
  const page = await listRequests(services.store.db, query);
  const stages = await loadStagesFor(services.store.db, page.items.filter((r) => r.request.approvalId).map((r) => r.request.id));
  return {
    items: page.items.map((stored) => ({ request: stored, approval: stored.request.approvalId ? assembleApproval(stored, stages.get(stored.request.id) ?? []) : null })),
    next: page.next,
  };
}

/** The requestor (or an administrator) withdraws a request that is still waiting. */
export async function cancelRequest(services: Services, actor: Actor & { userId: string }, caller: Caller, id: string, families: readonly Family[]): Promise<RequestView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await services.store.transaction(async (tx) => {
        const now = services.clock.now();
        // As a decision does: the stages first, so a decision and a cancel take turns.
        const stages = await lockStages(tx, services.store.dialect, id);
        const stored = await getRequest(tx, id);
        if (!stored || !families.includes(stored.request.target.family)) throw new DomainError('REQUEST_NOT_FOUND', `Request '${id}' was not found.`);
        const { request } = stored;
        if (!caller.isAdmin && caller.userId !== request.principalId && caller.userId !== request.createdBy) {
          throw new DomainError('ACCESS_DENIED', 'Only the requestor or an administrator may cancel this request.');
        }
        const cancelable = request.status === 'PendingApproval' || (request.status === 'Granted' && request.schedule.startAt > now);
        if (!cancelable) throw new DomainError('NOT_CANCELABLE', `The request is ${request.status} and cannot be canceled.`);
        let approval: Approval | null = null;
        const events: DomainEvent[] = [];
        if (request.approvalId) {
          const current = assembleApproval(stored, stages);
          if (current.status === 'Pending') {
            const transition = cancelApproval(current);
            await saveChangedStages(tx, id, transition.changed, new Map(stages.map((s) => [s.id, s.version])));
            await syncInbox(tx, { approval: transition.approval, family: request.target.family, stages: transition.changed, createdAt: request.createdAt, now });
            approval = transition.approval;
            events.push(...transition.events);
          } else {
            approval = current;
          }
        }
        if (events.length === 0) events.push({ type: 'request.canceled', family: request.target.family, requestId: id, data: {} });
        const updated = await setRequestStatus(tx, stored, 'Canceled', now);
        await recordEvents(tx, services, actor, events, now, new Map([[id, { before: { status: request.status }, after: { status: 'Canceled' } }]]));
        return { request: updated, approval: approval ? { ...approval, status: 'Canceled' } : null };
      });
    } catch (error) {
      if (error instanceof WriteConflictError && attempt < 5) continue;
      throw error;
    }
  }
}
