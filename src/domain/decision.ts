import { type Approval, type Decision, type Stage, type StageStatus, isStageOpen } from './approval.js';
import { DomainError } from './errors.js';
import type { DomainEvent } from './events.js';
import type { PolicyStage } from './policy.js';
import { type Instant, LATEST_INSTANT, addWithinCalendar, isAtOrAfter } from './time.js';

/** Who may decide a stage, resolved from the directory by the caller of these functions. */
export interface ResolvedApprovers {
  readonly primary: readonly string[];
  readonly escalation: readonly string[];
}

/** Looks up a stage's approvers from directory facts the caller loaded before the decision. */
export type ResolveApprovers = (stage: Stage) => ResolvedApprovers;

export interface DecisionInput {
  readonly stageId: string;
  readonly reviewerId: string;
  readonly decision: string;
  readonly justification: string | null | undefined;
  readonly now: Instant;
}

export interface Transition {
  readonly approval: Approval;
  /** Stages whose stored row must change, each guarded by the version it was read at. */
  readonly changed: readonly Stage[];
  readonly outcome: 'Pending' | 'Granted' | 'Denied';
  readonly events: readonly DomainEvent[];
}

/** Escalation and expiry follow from stored deadlines and `now`; timers only make them durable. */
export function effectiveStatus(stage: Stage, now: Instant): StageStatus {
  if (!isStageOpen(stage)) return stage.status;
  if (isAtOrAfter(now, stage.expireAt)) return 'Expired';
  if (stage.status === 'InProgress' && isAtOrAfter(now, stage.escalateAt)) return 'Escalated';
  return stage.status;
}

/** Everyone who may decide this stage at `now`, the requestor excluded. */
export function decidersAt(stage: Stage, now: Instant, requestorId: string): string[] {
  const status = effectiveStatus(stage, now);
  if (status !== 'InProgress' && status !== 'Escalated') return [];
  const ids = status === 'Escalated' ? [...stage.approverIds, ...stage.escalationApproverIds] : [...stage.approverIds];
  const decided = new Set(stage.approvals.map((a) => a.reviewerId));
  return [...new Set(ids)].filter((id) => id !== requestorId && !decided.has(id));
}

export function isAssignedTo(stage: Stage, userId: string, now: Instant, requestorId: string): boolean {
  return decidersAt(stage, now, requestorId).includes(userId);
}

/** May this reviewer decide this stage now? Returns the refusal, or null when allowed. */
export function checkMayDecide(approval: Approval, stageId: string, reviewerId: string, now: Instant): DomainError | null {
  const stage = approval.stages.find((s) => s.id === stageId);
  if (!stage) return new DomainError('STEP_NOT_FOUND', `Approval step '${stageId}' was not found in approval '${approval.id}'.`);
  if (reviewerId === approval.requestorId) {
    return new DomainError('SELF_APPROVAL', 'The requestor cannot approve or deny their own request.');
  }
  if (stage.status === 'NotStarted') {
    return new DomainError('STAGE_NOT_CURRENT', `Approval step '${stageId}' has not started; only the current stage can be decided.`);
  }
  const status = effectiveStatus(stage, now);
  const mayEverDecide = stage.approverIds.includes(reviewerId) || (status === 'Escalated' && stage.escalationApproverIds.includes(reviewerId))
    || stage.reviewedBy === reviewerId || stage.approvals.some((a) => a.reviewerId === reviewerId);
  if (!mayEverDecide) {
    return new DomainError('NOT_AN_APPROVER', `The caller is not an approver of step '${stageId}'.`);
  }
  // Canceling closes the open stage without a result; that is no decision anyone made.
  if (approval.status === 'Canceled' && stage.reviewResult === 'NotReviewed') {
    return new DomainError('REQUEST_CANCELED', `The request was canceled, so approval step '${stageId}' can no longer be decided.`);
  }
  if (stage.reviewResult !== 'NotReviewed' || stage.status === 'Completed' || stage.approvals.some((a) => a.reviewerId === reviewerId)) {
    return new DomainError('STEP_ALREADY_DECIDED', `Approval step '${stageId}' has already been decided.`, {
      reviewedBy: stage.reviewedBy ?? stage.approvals.at(-1)?.reviewerId ?? null,
      reviewResult: stage.reviewResult,
    });
  }
  if (status === 'Expired') {
    return new DomainError('STEP_EXPIRED', `Approval step '${stageId}' has expired and can no longer be decided.`);
  }
  if (approval.status !== 'Pending') {
    return new DomainError('APPROVAL_CLOSED', `Approval '${approval.id}' is ${approval.status.toLowerCase()} and can no longer be decided.`);
  }
  return null;
}

/**
 * A deadline past the end of the calendar is as good as never. Policy validation keeps new timeouts
 * far inside it; clamping lets a policy stored before those bounds still start its stages.
 */
function deadline(now: Instant, minutes: number): Instant {
  return addWithinCalendar(now, minutes * 60_000) ?? LATEST_INSTANT;
}

export function startStage(stage: Stage, now: Instant, approvers: ResolvedApprovers): Stage {
  const { config } = stage;
  const escalates = config.isEscalationEnabled && config.escalationMinutes > 0 && approvers.escalation.length > 0;
  return {
    ...stage,
    status: 'InProgress',
    approverIds: [...approvers.primary],
    escalationApproverIds: [...approvers.escalation],
    startedAt: now,
    escalateAt: escalates ? deadline(now, config.escalationMinutes) : null,
    expireAt: deadline(now, config.timeoutMinutes),
    version: stage.version + 1,
  };
}

function stageStartedEvent(approval: Approval, stage: Stage): DomainEvent {
  return {
    type: 'stage.started', family: approval.family, requestId: approval.id, stageId: stage.id,
    data: { index: stage.index, approverIds: stage.approverIds, escalateAt: stage.escalateAt, expireAt: stage.expireAt },
  };
}

/** A new approval with its first stage started and the others waiting. */
export function createApproval(
  args: { id: string; family: Approval['family']; requestorId: string; stageIds: readonly string[]; stages: readonly PolicyStage[]; now: Instant },
  resolve: ResolveApprovers,
): { approval: Approval; events: DomainEvent[] } {
  const stages = args.stages.map((config, index): Stage => ({
    id: args.stageIds[index]!, index, status: 'NotStarted', reviewResult: 'NotReviewed', reviewedBy: null, reviewedAt: null,
    justification: '', config, approverIds: [], escalationApproverIds: [], approvals: [], startedAt: null, escalateAt: null,
    expireAt: null, version: 0,
  }));
  const first = startStage(stages[0]!, args.now, resolve(stages[0]!));
  const approval: Approval = { id: args.id, family: args.family, requestorId: args.requestorId, status: 'Pending', stages: [first, ...stages.slice(1)] };
  return { approval, events: [stageStartedEvent(approval, first)] };
}

function replaceStages(approval: Approval, changed: readonly Stage[]): Approval['stages'] {
  return approval.stages.map((s) => changed.find((c) => c.id === s.id) ?? s);
}

/**
 * Applies one reviewer's decision. Pure: the caller supplies `now`, the directory lookups for a
 * stage that starts because of it, and writes `changed` back with a version guard.
 */
export function applyDecision(approval: Approval, input: DecisionInput, resolve: ResolveApprovers): Transition {
  if (input.decision !== 'Approve' && input.decision !== 'Deny') {
    throw new DomainError('INVALID_DECISION', `reviewResult must be 'Approve' or 'Deny', not '${input.decision}'.`);
  }
  const refusal = checkMayDecide(approval, input.stageId, input.reviewerId, input.now);
  if (refusal) throw refusal;
  const stage = approval.stages.find((s) => s.id === input.stageId)!;
  const justification = (input.justification ?? '').trim();
  if (stage.config.isApproverJustificationRequired && justification === '') {
    throw new DomainError('JUSTIFICATION_REQUIRED', 'A justification is required to approve or deny this step.');
  }
  const decision: Decision = input.decision;
  const approvals = decision === 'Approve'
    ? [...stage.approvals, { reviewerId: input.reviewerId, at: input.now, justification }]
    : stage.approvals;
  const stageComplete = decision === 'Deny' || approvals.length >= stage.config.approvalsRequired;
  const decided: Stage = stageComplete
    ? { ...stage, status: 'Completed', reviewResult: decision, reviewedBy: input.reviewerId, reviewedAt: input.now, justification, approvals, version: stage.version + 1 }
    : { ...stage, approvals, version: stage.version + 1 };
  const events: DomainEvent[] = [{
    type: 'stage.decided', family: approval.family, requestId: approval.id, stageId: stage.id,
    data: { index: stage.index, reviewerId: input.reviewerId, decision, justification, stageComplete, approvalsRecorded: approvals.length, approvalsRequired: stage.config.approvalsRequired },
  }];

  if (decision === 'Deny') {
    const next = { ...approval, status: 'Denied' as const, stages: replaceStages(approval, [decided]) };
    events.push({ type: 'request.denied', family: approval.family, requestId: approval.id, data: { reason: 'denied', reviewerId: input.reviewerId, stageIndex: stage.index } });
    return { approval: next, changed: [decided], outcome: 'Denied', events };
  }
  if (!stageComplete) {
    return { approval: { ...approval, stages: replaceStages(approval, [decided]) }, changed: [decided], outcome: 'Pending', events };
  }
  const following = approval.stages.find((s) => s.index === stage.index + 1);
  if (!following) {
    const next = { ...approval, status: 'Approved' as const, stages: replaceStages(approval, [decided]) };
    events.push({ type: 'request.granted', family: approval.family, requestId: approval.id, data: { reviewerId: input.reviewerId } });
    return { approval: next, changed: [decided], outcome: 'Granted', events };
  }
  const started = startStage(following, input.now, resolve(following));
  const next = { ...approval, stages: replaceStages(approval, [decided, started]) };
  events.push(stageStartedEvent(next, started));
  return { approval: next, changed: [decided, started], outcome: 'Pending', events };
}

/**
 * Makes escalation and expiry durable once their deadlines pass. Returns null when nothing is due.
 * An expired stage ends the approval and denies the request (Signoff's choice; Graph does not name it).
 */
export function applyDeadlines(approval: Approval, now: Instant): Transition | null {
  if (approval.status !== 'Pending') return null;
  const stage = approval.stages.find(isStageOpen);
  if (!stage) return null;
  const status = effectiveStatus(stage, now);
  if (status === 'Expired') {
    const expired: Stage = { ...stage, status: 'Expired', version: stage.version + 1 };
    return {
      approval: { ...approval, status: 'Expired', stages: replaceStages(approval, [expired]) },
      changed: [expired],
      outcome: 'Denied',
      events: [
        { type: 'approval.expired', family: approval.family, requestId: approval.id, stageId: stage.id, data: { index: stage.index, expireAt: stage.expireAt } },
        { type: 'request.denied', family: approval.family, requestId: approval.id, data: { reason: 'expired', stageIndex: stage.index } },
      ],
    };
  }
  if (status === 'Escalated' && stage.status === 'InProgress') {
    const escalated: Stage = { ...stage, status: 'Escalated', version: stage.version + 1 };
    return {
      approval: { ...approval, stages: replaceStages(approval, [escalated]) },
      changed: [escalated],
      outcome: 'Pending',
      events: [{
        type: 'stage.escalated', family: approval.family, requestId: approval.id, stageId: stage.id,
        data: { index: stage.index, escalationApproverIds: stage.escalationApproverIds, expireAt: stage.expireAt },
      }],
    };
  }
  return null;
}

/** The requestor withdrew: the open stage closes undecided. */
export function cancelApproval(approval: Approval): Transition {
  if (approval.status !== 'Pending') {
    throw new DomainError('NOT_CANCELABLE', `The request is ${approval.status.toLowerCase()} and cannot be canceled.`);
  }
  const changed = approval.stages.filter(isStageOpen).map((s): Stage => ({ ...s, status: 'Completed', version: s.version + 1 }));
  return {
    approval: { ...approval, status: 'Canceled', stages: replaceStages(approval, changed) },
    changed,
    outcome: 'Denied',
    events: [{ type: 'request.canceled', family: approval.family, requestId: approval.id, data: {} }],
  };
}
