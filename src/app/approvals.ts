import type { Approval, Stage } from '../domain/approval.js';
import { type ResolvedApprovers, applyDecision } from '../domain/decision.js';
import { DomainError } from '../domain/errors.js';
import type { Family } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import { resolveApprovers } from '../directory/resolve-approvers.js';
import { inboxPage, loadStages, loadStagesFor, lockStages, saveChangedStages, syncInbox } from '../store/approvals-repo.js';
import { type StoredRequest, getRequest, getRequests } from '../store/requests-repo.js';
import { type Db, type Dialect, WriteConflictError } from '../store/store.js';
import { type Caller, mayReadApproval } from './authorization.js';
import { settleApproval } from './approval-outcome.js';
import { recordEvents } from './record-events.js';
import type { Actor, Services } from './services.js';

export interface ApprovalView {
  readonly approval: Approval;
  readonly request: StoredRequest;
}

export function assembleApproval(stored: StoredRequest, stages: readonly Stage[]): Approval {
  const { request } = stored;
  const denied = stages.some((s) => s.reviewResult === 'Deny');
  const expired = stages.some((s) => s.status === 'Expired');
  const status: Approval['status'] = request.status === 'Canceled' ? 'Canceled'
    : expired ? 'Expired'
      : denied ? 'Denied'
        : stages.length > 0 && stages.every((s) => s.status === 'Completed' && s.reviewResult === 'Approve') ? 'Approved'
          : 'Pending';
  return { id: request.id, family: request.target.family, requestorId: request.principalId, status, stages };
}

/**
 * Loads an approval of the given families, or throws APPROVAL_NOT_FOUND. With `lockFor`, its
 * stages are locked first, so the request read after them includes what the last holder committed.
 */
export async function loadApproval(db: Db, approvalId: string, families: readonly Family[], lockFor?: Dialect): Promise<ApprovalView> {
  const locked = lockFor ? await lockStages(db, lockFor, approvalId) : null;
  const stored = await getRequest(db, approvalId);
  if (!stored || stored.request.approvalId === null || !families.includes(stored.request.target.family)) {
    throw new DomainError('APPROVAL_NOT_FOUND', `Approval '${approvalId}' was not found.`);
  }
  return { request: stored, approval: assembleApproval(stored, locked ?? await loadStages(db, approvalId)) };
}

export async function getApprovalForCaller(services: Services, caller: Caller, approvalId: string, families: readonly Family[]): Promise<ApprovalView> {
  const view = await loadApproval(services.store.db, approvalId, families);
  if (!mayReadApproval(caller, view.approval)) {
    throw new DomainError('ACCESS_DENIED', 'The caller is neither the requestor nor an approver of this approval.');
  }
  return view;
}

export interface DecideInput {
  readonly approvalId: string;
  readonly stageId: string;
  readonly families: readonly Family[];
  readonly decision: string;
  readonly justification: string | null | undefined;
}

async function resolveWaitingStages(db: Db, approval: Approval, now: Instant): Promise<Map<number, ResolvedApprovers>> {
  const resolved = new Map<number, ResolvedApprovers>();
  for (const stage of approval.stages) {
    if (stage.status === 'NotStarted') resolved.set(stage.index, await resolveApprovers(db, stage.config, approval.requestorId, now));
  }
  return resolved;
}

const MAX_ATTEMPTS = 5;

/**
 * Records one reviewer's decision: read (locking the stages), check, apply, then a version-guarded
 * write. If another writer still got there first the whole transaction is retried on fresh state,
 * where the rules give the loser STEP_ALREADY_DECIDED.
 */
export async function decideStep(services: Services, actor: Actor & { userId: string }, input: DecideInput): Promise<ApprovalView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await services.store.transaction(async (tx) => {
        const now = services.clock.now();
        const view = await loadApproval(tx, input.approvalId, input.families, services.store.dialect);
        const readVersions = new Map(view.approval.stages.map((s) => [s.id, s.version]));
        const waiting = await resolveWaitingStages(tx, view.approval, now);
        const transition = applyDecision(view.approval, {
          stageId: input.stageId, reviewerId: actor.userId, decision: input.decision, justification: input.justification, now,
        }, (stage) => waiting.get(stage.index) ?? { primary: [], escalation: [] });
        await saveChangedStages(tx, view.approval.id, transition.changed, readVersions);
        await syncInbox(tx, { approval: transition.approval, family: view.request.request.target.family, stages: transition.changed, createdAt: view.request.request.createdAt, now });
        const settled = await settleApproval(tx, services, view.request, transition.outcome, now);
        const stored = settled.stored;
        const events = [...transition.events, ...settled.events];
        const before = view.approval.stages.find((s) => s.id === input.stageId)!;
        const after = transition.approval.stages.find((s) => s.id === input.stageId)!;
        await recordEvents(tx, services, actor, events, now, new Map([[input.stageId, {
          before: { status: before.status, reviewResult: before.reviewResult },
          after: { status: after.status, reviewResult: after.reviewResult, reviewedBy: after.reviewedBy, justification: after.justification },
        }]]));
        return { approval: transition.approval, request: stored };
      });
    } catch (error) {
      if (error instanceof WriteConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

export interface PendingPage {
  readonly items: ApprovalView[];
  readonly next: { createdAt: string; approvalId: string } | null;
}

/** Approvals whose current stage the caller may decide, read from the inbox index. */
export async function listPendingForCaller(services: Services, caller: Caller, families: readonly Family[], limit: number, after: { createdAt: string; approvalId: string } | null): Promise<PendingPage> {
  const page = await inboxPage(services.store.db, { userId: caller.userId, families, limit, after });
  return { items: await loadApprovalsInOrder(services.store.db, page.approvalIds), next: page.next };
}

/** The approvals of a page of ids, in the page's order, with two queries whatever the page size. */
export async function loadApprovalsInOrder(db: Db, approvalIds: readonly string[]): Promise<ApprovalView[]> {
  const requests = await getRequests(db, approvalIds);
  const stages = await loadStagesFor(db, approvalIds);
  return approvalIds.flatMap((id) => {
    const stored = requests.get(id);
    return stored ? [{ request: stored, approval: assembleApproval(stored, stages.get(id) ?? []) }] : [];
  });
}
