import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Approval, Stage } from '../../../src/domain/approval.js';
import { type Transition, applyDeadlines, applyDecision, createApproval, decidersAt, effectiveStatus } from '../../../src/domain/decision.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { PolicyStage } from '../../../src/domain/policy.js';
import { addMinutes } from '../../../src/domain/time.js';

const T0 = '2026-01-01T00:00:00.000Z';
const REQUESTOR = 'requestor';
const APPROVERS = ['u1', 'u2', 'u3', 'u4'] as const;
const ESCALATION = 'esc';
/** Everyone who may try to decide: approvers, the escalation approver, the requestor and a stranger. */
const ACTORS = [...APPROVERS, ESCALATION, REQUESTOR, 'stranger'] as const;

const stageArb: fc.Arbitrary<PolicyStage> = fc.record({
  // The requestor may be named an approver (for example through a group); the engine must never ask them.
  primary: fc.uniqueArray(fc.constantFrom(...APPROVERS, REQUESTOR), { minLength: 1, maxLength: 4 }),
  timeoutMinutes: fc.integer({ min: 10, max: 2000 }),
  escalates: fc.boolean(),
  k: fc.integer({ min: 1, max: 4 }),
}).chain(({ primary, timeoutMinutes, escalates, k }) => fc.record({
  escalationMinutes: fc.integer({ min: 1, max: timeoutMinutes - 1 }),
}).map(({ escalationMinutes }): PolicyStage => ({
  displayName: null, timeoutMinutes, isApproverJustificationRequired: false,
  isEscalationEnabled: escalates, escalationMinutes: escalates ? escalationMinutes : 0,
  primaryApprovers: primary.map((userId) => ({ type: 'singleUser' as const, userId })),
  escalationApprovers: escalates ? [{ type: 'singleUser' as const, userId: ESCALATION }] : [],
  approvalsRequired: Math.min(k, primary.length),
})));

type Command =
  | { kind: 'decide'; actor: (typeof ACTORS)[number]; stage: number | 'current'; decision: 'Approve' | 'Deny' }
  | { kind: 'clock'; minutes: number; durable: boolean };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('decide' as const), actor: fc.constantFrom(...ACTORS), stage: fc.oneof(fc.constant('current' as const), fc.integer({ min: 0, max: 2 })), decision: fc.constantFrom('Approve' as const, 'Approve' as const, 'Deny' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clock' as const), minutes: fc.integer({ min: 0, max: 900 }), durable: fc.boolean() }) },
);

const resolveFor = (stages: readonly PolicyStage[]) => (stage: Stage) => {
  const ids = (refs: PolicyStage['primaryApprovers']) => refs.map((r) => (r.type === 'singleUser' ? r.userId : ''));
  return { primary: ids(stages[stage.index]!.primaryApprovers), escalation: ids(stages[stage.index]!.escalationApprovers) };
};

interface Accepted { stageIndex: number; reviewerId: string; decision: 'Approve' | 'Deny'; now: string; expireAt: string | null }

describe('stage state machine (property)', () => {
  it('keeps its invariants over random policies, decisions and clock moves', () => {
    const outcomes = { granted: 0, denied: 0, expired: 0, quorum: 0 };
    fc.assert(fc.property(fc.array(stageArb, { minLength: 1, maxLength: 3 }), fc.array(commandArb, { maxLength: 40 }), (stages, commands) => {
      const resolve = resolveFor(stages);
      let approval: Approval = createApproval({ id: 'r', family: 'accessPackage', requestorId: REQUESTOR, stageIds: stages.map((_, i) => `s${i}`), stages, now: T0 }, resolve).approval;
      let now = T0;
      let granted = false;
      let denied = false;
      const accepted: Accepted[] = [];

      for (const command of commands) {
        if (command.kind === 'clock') {
          now = addMinutes(now, command.minutes);
          // A timer may or may not have run yet; the rules must hold either way.
          if (command.durable) {
            const t = applyDeadlines(approval, now);
            if (t) {
              approval = t.approval;
              if (t.outcome === 'Denied') denied = true;
            }
          }
          continue;
        }
        const target = command.stage === 'current' ? approval.stages.find((s) => s.status === 'InProgress' || s.status === 'Escalated') : approval.stages[command.stage];
        if (!target) continue;
        const decidersBefore = decidersAt(target, now, REQUESTOR);
        const statusBefore = effectiveStatus(target, now);
        let t: Transition;
        try {
          t = applyDecision(approval, { stageId: target.id, reviewerId: command.actor, decision: command.decision, justification: 'j', now }, resolve);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          continue;
        }
        // Only someone asked at this moment decides, never the requestor, never after expiry, never once the request is closed.
        expect(decidersBefore).toContain(command.actor);
        expect(command.actor).not.toBe(REQUESTOR);
        expect(statusBefore === 'InProgress' || statusBefore === 'Escalated').toBe(true);
        expect(granted || denied).toBe(false);
        accepted.push({ stageIndex: target.index, reviewerId: command.actor, decision: command.decision, now, expireAt: target.expireAt });
        approval = t.approval;
        if (t.outcome === 'Granted') granted = true;
        if (t.outcome === 'Denied') denied = true;
      }

      expect(granted && denied).toBe(false);
      if (granted) outcomes.granted++;
      if (denied) outcomes.denied++;
      if (approval.status === 'Expired') outcomes.expired++;
      if (granted && approval.stages.some((s) => s.config.approvalsRequired > 1)) outcomes.quorum++;
      for (const a of accepted) expect(Date.parse(a.now)).toBeLessThan(Date.parse(a.expireAt!));
      for (const stage of approval.stages) {
        const onStage = accepted.filter((a) => a.stageIndex === stage.index);
        const reviewers = onStage.map((a) => a.reviewerId);
        // Each approver decides a stage at most once; with the default quorum a stage takes one decision.
        expect(new Set(reviewers).size).toBe(reviewers.length);
        expect(onStage.length).toBeLessThanOrEqual(stage.config.approvalsRequired === 1 ? 1 : stage.config.approvalsRequired);
        expect(stage.approvals.length).toBeLessThanOrEqual(stage.config.approvalsRequired);
        if (stage.status === 'NotStarted') expect(onStage).toEqual([]);
      }
      if (granted) {
        expect(approval.status).toBe('Approved');
        for (const stage of approval.stages) {
          expect(stage).toMatchObject({ status: 'Completed', reviewResult: 'Approve' });
          expect(stage.approvals.length).toBe(stage.config.approvalsRequired);
        }
      }
      if (denied) {
        expect(['Denied', 'Expired']).toContain(approval.status);
        expect(approval.stages.every((s) => s.status === 'Completed' && s.reviewResult === 'Approve')).toBe(false);
      }
      if (approval.status === 'Expired') {
        const expired = approval.stages.find((s) => s.status === 'Expired')!;
        expect(accepted.filter((a) => a.stageIndex === expired.index).every((a) => a.decision === 'Approve')).toBe(true);
      }
    // Quorum grants are the rarest ending (about 1 run in 120): enough runs that every ending shows.
    }), { numRuns: 2000 });
    // The generators must reach every ending, or the invariants above were checked on nothing.
    expect(Math.min(outcomes.granted, outcomes.denied, outcomes.expired, outcomes.quorum)).toBeGreaterThan(0);
  });
});
