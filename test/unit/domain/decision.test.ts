import { describe, expect, it } from 'vitest';
import type { Approval, Stage } from '../../../src/domain/approval.js';
import { applyDeadlines, applyDecision, cancelApproval, checkMayDecide, createApproval, decidersAt, effectiveStatus } from '../../../src/domain/decision.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { PolicyStage } from '../../../src/domain/policy.js';
import { LATEST_INSTANT, addMinutes } from '../../../src/domain/time.js';

const T0 = '2026-01-01T00:00:00.000Z';
const stageConfig = (over: Partial<PolicyStage> = {}): PolicyStage => ({
  displayName: null, timeoutMinutes: 1440, isApproverJustificationRequired: false, isEscalationEnabled: false, escalationMinutes: 0,
  primaryApprovers: [{ type: 'singleUser', userId: 'bob' }], escalationApprovers: [], approvalsRequired: 1, ...over,
});
const approvers: Record<number, { primary: string[]; escalation: string[] }> = {
  0: { primary: ['bob', 'erin'], escalation: ['esc'] },
  1: { primary: ['carol'], escalation: [] },
  2: { primary: ['frank'], escalation: [] },
};

function approvalWith(stages: PolicyStage[]): Approval {
  return createApproval({ id: 'req-1', family: 'directoryRole', requestorId: 'alice', stageIds: stages.map((_, i) => `s${i + 1}`), stages, now: T0 },
    (s) => approvers[s.index]!).approval;
}
const resolve = (s: Stage) => approvers[s.index]!;
const decide = (a: Approval, stageId: string, reviewerId: string, decision: string, justification = 'ok', now = T0) =>
  applyDecision(a, { stageId, reviewerId, decision, justification, now }, resolve);

function codeOf(fn: () => unknown): string | null {
  try { fn(); return null; } catch (e) { if (e instanceof DomainError) return e.code; throw e; }
}

describe('createApproval', () => {
  it('starts the first stage with its resolved approvers and leaves later stages waiting', () => {
    const a = approvalWith([stageConfig(), stageConfig()]);
    expect(a.status).toBe('Pending');
    expect(a.stages[0]).toMatchObject({ status: 'InProgress', approverIds: ['bob', 'erin'], startedAt: T0, expireAt: addMinutes(T0, 1440), escalateAt: null });
    expect(a.stages[1]).toMatchObject({ status: 'NotStarted', approverIds: [], startedAt: null });
  });
  it('schedules escalation only when enabled with escalation approvers', () => {
    const a = approvalWith([stageConfig({ isEscalationEnabled: true, escalationMinutes: 60 })]);
    expect(a.stages[0]!.escalateAt).toBe(addMinutes(T0, 60));
  });
  it('keeps a deadline past the end of the calendar at its last instant, for policies stored before timeouts were bounded', () => {
    const a = approvalWith([stageConfig({ timeoutMinutes: 999_999_999_999 * 1440, isEscalationEnabled: true, escalationMinutes: 99_999_999_999_999 })]);
    expect(a.stages[0]).toMatchObject({ status: 'InProgress', expireAt: LATEST_INSTANT, escalateAt: LATEST_INSTANT });
  });
});

describe('checkMayDecide — who may decide', () => {
  const two = approvalWith([stageConfig(), stageConfig()]);
  const decided = decide(two, 's1', 'bob', 'Approve').approval;
  const denied = decide(approvalWith([stageConfig(), stageConfig()]), 's1', 'bob', 'Deny').approval;
  const canceled = cancelApproval(two).approval;
  const canceledAtStage2 = cancelApproval(decided).approval;
  const rows: Array<[string, Approval, string, string, string, string | null]> = [
    // [what the row proves, approval, stage, reviewer, now, expected code]
    ['a primary approver of the current stage may decide', two, 's1', 'bob', T0, null],
    ['every primary approver may decide, not only the first listed', two, 's1', 'erin', T0, null],
    ['the requestor never decides their own request', two, 's1', 'alice', T0, 'SELF_APPROVAL'],
    ['someone who is no approver is refused', two, 's1', 'dave', T0, 'NOT_AN_APPROVER'],
    ['an approver of a later stage cannot decide the current one', two, 's1', 'carol', T0, 'NOT_AN_APPROVER'],
    ['a stage that has not started cannot be decided', two, 's2', 'carol', T0, 'STAGE_NOT_CURRENT'],
    ['an unknown step is not found', two, 'nope', 'bob', T0, 'STEP_NOT_FOUND'],
    ['the first decision wins: the same reviewer again conflicts', decided, 's1', 'bob', T0, 'STEP_ALREADY_DECIDED'],
    ['the first decision wins: another approver of the stage conflicts', decided, 's1', 'erin', T0, 'STEP_ALREADY_DECIDED'],
    ['after approval of stage 1, stage 2 is current for its approver', decided, 's2', 'carol', T0, null],
    ['a denied request cannot be decided at a later stage', denied, 's2', 'carol', T0, 'STAGE_NOT_CURRENT'],
    ['escalation approvers may not decide before escalation time', two, 's1', 'esc', T0, 'NOT_AN_APPROVER'],
    ['past the timeout a stage has expired', two, 's1', 'bob', addMinutes(T0, 1440), 'STEP_EXPIRED'],
    ['a stage closed by a cancel was canceled, not decided', canceled, 's1', 'erin', T0, 'REQUEST_CANCELED'],
    ['a cancel does not tell strangers more than that they are no approver', canceled, 's1', 'dave', T0, 'NOT_AN_APPROVER'],
    ['a stage decided before the cancel stays decided', canceledAtStage2, 's1', 'erin', T0, 'STEP_ALREADY_DECIDED'],
    ['the stage that was open at the cancel reads canceled', canceledAtStage2, 's2', 'carol', T0, 'REQUEST_CANCELED'],
  ];
  it.each(rows)('%s', (_what, approval, stageId, reviewer, now, expected) => {
    expect(checkMayDecide(approval, stageId, reviewer, now)?.code ?? null).toBe(expected);
  });

  it('escalation approvers may decide once the escalation time has passed', () => {
    const a = approvalWith([stageConfig({ isEscalationEnabled: true, escalationMinutes: 60 })]);
    expect(checkMayDecide(a, 's1', 'esc', addMinutes(T0, 59))?.code).toBe('NOT_AN_APPROVER');
    expect(checkMayDecide(a, 's1', 'esc', addMinutes(T0, 60))).toBeNull();
    expect(effectiveStatus(a.stages[0]!, addMinutes(T0, 60))).toBe('Escalated');
  });
});

describe('applyDecision — what a decision does', () => {
  it('Approve on the only stage grants the request', () => {
    const t = decide(approvalWith([stageConfig()]), 's1', 'bob', 'Approve', 'looks fine');
    expect(t.outcome).toBe('Granted');
    expect(t.approval.status).toBe('Approved');
    expect(t.approval.stages[0]).toMatchObject({ status: 'Completed', reviewResult: 'Approve', reviewedBy: 'bob', reviewedAt: T0, justification: 'looks fine' });
    expect(t.events.map((e) => e.type)).toEqual(['stage.decided', 'request.granted']);
  });
  it('Approve on an earlier stage starts the next one with its approvers', () => {
    const t = decide(approvalWith([stageConfig(), stageConfig()]), 's1', 'bob', 'Approve');
    expect(t.outcome).toBe('Pending');
    expect(t.changed.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(t.approval.stages[1]).toMatchObject({ status: 'InProgress', approverIds: ['carol'], startedAt: T0 });
    expect(t.events.map((e) => e.type)).toEqual(['stage.decided', 'stage.started']);
  });
  it('the last stage of a serial approval grants', () => {
    const after1 = decide(approvalWith([stageConfig(), stageConfig()]), 's1', 'bob', 'Approve').approval;
    const t = decide(after1, 's2', 'carol', 'Approve');
    expect(t.outcome).toBe('Granted');
    expect(t.approval.stages.every((s) => s.reviewResult === 'Approve')).toBe(true);
  });
  it.each([['s1', 'bob'], ['s2', 'carol']])('Deny on stage %s denies the whole request', (stageId, reviewer) => {
    let a = approvalWith([stageConfig(), stageConfig()]);
    if (stageId === 's2') a = decide(a, 's1', 'bob', 'Approve').approval;
    const t = decide(a, stageId, reviewer, 'Deny');
    expect(t.outcome).toBe('Denied');
    expect(t.approval.status).toBe('Denied');
    expect(t.events.at(-1)!.type).toBe('request.denied');
  });
  it('a decision must be Approve or Deny', () => {
    expect(codeOf(() => decide(approvalWith([stageConfig()]), 's1', 'bob', 'Approved'))).toBe('INVALID_DECISION');
    expect(codeOf(() => decide(approvalWith([stageConfig()]), 's1', 'bob', ''))).toBe('INVALID_DECISION');
  });
  it('justification is required where the policy says so, and whitespace does not count', () => {
    const a = approvalWith([stageConfig({ isApproverJustificationRequired: true })]);
    expect(codeOf(() => decide(a, 's1', 'bob', 'Approve', '   '))).toBe('JUSTIFICATION_REQUIRED');
    expect(decide(a, 's1', 'bob', 'Approve', 'ticket checked').outcome).toBe('Granted');
  });
  it('permission is checked before justification: a stranger gets 403-class refusal, not 400', () => {
    const a = approvalWith([stageConfig({ isApproverJustificationRequired: true })]);
    expect(codeOf(() => decide(a, 's1', 'dave', 'Approve', ''))).toBe('NOT_AN_APPROVER');
  });
  it('bumps the version of every stage it changes, so the store can detect a lost race', () => {
    const a = approvalWith([stageConfig(), stageConfig()]);
    const t = decide(a, 's1', 'bob', 'Approve');
    expect(t.changed.map((s) => s.version)).toEqual([a.stages[0]!.version + 1, a.stages[1]!.version + 1]);
  });
  it('k of n: each distinct approver is recorded until the quorum; the same approver twice conflicts', () => {
    const a = approvalWith([stageConfig({ approvalsRequired: 2 })]);
    const first = decide(a, 's1', 'bob', 'Approve');
    expect(first.outcome).toBe('Pending');
    expect(first.approval.stages[0]).toMatchObject({ status: 'InProgress', reviewResult: 'NotReviewed' });
    expect(codeOf(() => decide(first.approval, 's1', 'bob', 'Approve'))).toBe('STEP_ALREADY_DECIDED');
    expect(decidersAt(first.approval.stages[0]!, T0, 'alice')).toEqual(['erin']);
    expect(decide(first.approval, 's1', 'erin', 'Approve').outcome).toBe('Granted');
  });
});

describe('deadlines', () => {
  it('expiry ends the approval and denies the request', () => {
    const a = approvalWith([stageConfig({ timeoutMinutes: 60 })]);
    expect(applyDeadlines(a, addMinutes(T0, 59))).toBeNull();
    const t = applyDeadlines(a, addMinutes(T0, 60))!;
    expect(t.outcome).toBe('Denied');
    expect(t.approval.status).toBe('Expired');
    expect(t.approval.stages[0]!.status).toBe('Expired');
    expect(t.events.map((e) => e.type)).toEqual(['approval.expired', 'request.denied']);
  });
  it('escalation is made durable once and then not repeated', () => {
    const a = approvalWith([stageConfig({ isEscalationEnabled: true, escalationMinutes: 30 })]);
    const t = applyDeadlines(a, addMinutes(T0, 30))!;
    expect(t.approval.stages[0]!.status).toBe('Escalated');
    expect(t.events[0]!.type).toBe('stage.escalated');
    expect(applyDeadlines(t.approval, addMinutes(T0, 31))).toBeNull();
  });
  it('a decided approval has no deadlines left', () => {
    const granted = decide(approvalWith([stageConfig()]), 's1', 'bob', 'Approve').approval;
    expect(applyDeadlines(granted, addMinutes(T0, 99999))).toBeNull();
  });
});

describe('cancelApproval', () => {
  it('closes the open stage undecided and refuses a finished approval', () => {
    const t = cancelApproval(approvalWith([stageConfig(), stageConfig()]));
    expect(t.approval.status).toBe('Canceled');
    expect(t.approval.stages[0]).toMatchObject({ status: 'Completed', reviewResult: 'NotReviewed' });
    const granted = decide(approvalWith([stageConfig()]), 's1', 'bob', 'Approve').approval;
    expect(codeOf(() => cancelApproval(granted))).toBe('NOT_CANCELABLE');
  });
});
