import { DomainError } from './errors.js';
import { type ActivationRules, type ApprovalSettings, type ApproverRef, MINUTES_PER_DAY, type Policy, type PolicyStage } from './policy.js';
import type { Family } from './request.js';

/**
 * Stages Microsoft allows per family: PIM (Entra roles, groups, Azure roles) one or two,
 * entitlement management up to three. Signoff's engine runs three anywhere; the wire stays honest.
 */
export const MAX_STAGES: Readonly<Record<Family, number>> = { directoryRole: 2, group: 2, azureRole: 2, accessPackage: 3 };

/**
 * The longest any policy duration may be: a stage timeout, its escalation time, the maximum
 * activation. 3660 days is Microsoft's documented maximum for an access package assignment's lifetime;
 * Microsoft documents none for stage timeouts, so the same generous bound serves them. It keeps every
 * deadline Signoff derives from a policy a real date a client can read.
 */
export const MAX_POLICY_DURATION_MINUTES = 3660 * MINUTES_PER_DAY;

/** The refusal for a duration outside 1 minute .. MAX_POLICY_DURATION_MINUTES, or null when it fits. */
function durationProblem(what: string, minutes: number): string | null {
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_POLICY_DURATION_MINUTES
    ? null
    : `${what} must be a whole number of minutes from 1 to ${MAX_POLICY_DURATION_MINUTES} (3660 days), not ${minutes}.`;
}

/** How many distinct people a stage's primary approvers name, or null when the directory decides (groups, managers). */
export function knownApproverCount(stage: PolicyStage): number | null {
  if (stage.primaryApprovers.some((a) => a.type !== 'singleUser')) return null;
  return new Set(stage.primaryApprovers.map((a) => (a.type === 'singleUser' ? a.userId.toLowerCase() : ''))).size;
}

function validateApprovers(refs: readonly ApproverRef[], where: string): DomainError[] {
  return refs.flatMap((ref) => ref.type === 'requestorManager' && !(Number.isInteger(ref.managerLevel) && ref.managerLevel >= 1 && ref.managerLevel <= 2)
    ? [new DomainError('INVALID_POLICY', `${where}: requestorManager.managerLevel must be 1 (direct manager) or 2 (the manager's manager), not ${ref.managerLevel}.`)]
    : []);
}

function validateStage(stage: PolicyStage, n: number): DomainError[] {
  const where = `Stage ${n}`;
  const errors: DomainError[] = [];
  const fail = (message: string) => errors.push(new DomainError('INVALID_POLICY', `${where}: ${message}`));
  if (stage.primaryApprovers.length === 0) fail('at least one primary approver is required.');
  const timeout = durationProblem('the timeout', stage.timeoutMinutes);
  if (timeout) fail(timeout);
  if (stage.isEscalationEnabled) {
    const escalation = durationProblem('the escalation time', stage.escalationMinutes);
    if (escalation) fail(escalation);
    else if (stage.escalationMinutes >= stage.timeoutMinutes) {
      fail(`the escalation time (${stage.escalationMinutes} minutes) must be shorter than the stage timeout (${stage.timeoutMinutes} minutes), or escalation could never happen.`);
    }
    if (stage.escalationApprovers.length === 0) fail('escalation is enabled but no escalation approver is named.');
  }
  const k = stage.approvalsRequired;
  const named = knownApproverCount(stage);
  if (!Number.isInteger(k) || k < 1) fail(`approvalsRequired must be a whole number, at least 1 (got ${k}).`);
  else if (named !== null && named > 0 && k > named) fail(`approvalsRequired is ${k} but only ${named} distinct primary approver${named === 1 ? ' is' : 's are'} named.`);
  errors.push(...validateApprovers(stage.primaryApprovers, where), ...validateApprovers(stage.escalationApprovers, where));
  return errors;
}

/** Every problem with a policy's approval settings for this family, each with a message an administrator can act on. */
export function validateApprovalSettings(settings: ApprovalSettings, family: Family): DomainError[] {
  const errors: DomainError[] = [];
  const count = settings.stages.length;
  const max = MAX_STAGES[family];
  if (settings.mode === 'NoApproval' && count > 0) errors.push(new DomainError('INVALID_POLICY', 'approvalMode NoApproval takes no approval stages.'));
  if (settings.mode === 'SingleStage' && count !== 1) errors.push(new DomainError('INVALID_POLICY', `approvalMode SingleStage takes exactly one approval stage, not ${count}.`));
  if (settings.mode === 'Serial' && count < 1) errors.push(new DomainError('INVALID_POLICY', 'approvalMode Serial needs at least one approval stage.'));
  if (count > max) errors.push(new DomainError('INVALID_POLICY', `At most ${max} approval stages are allowed for this kind of policy; ${count} were given.`));
  settings.stages.forEach((stage, i) => errors.push(...validateStage(stage, i + 1)));
  return errors;
}

export function validateActivationRules(rules: ActivationRules): DomainError[] {
  const problem = durationProblem('The maximum activation duration', rules.maximumDurationMinutes);
  return problem ? [new DomainError('INVALID_POLICY', problem)] : [];
}

export function validatePolicy(policy: Policy, family: Family): DomainError[] {
  return [...validateApprovalSettings(policy.approval, family), ...validateActivationRules(policy.activation)];
}

/** One error naming every problem, as a 400 reports them together. */
export function combinePolicyErrors(errors: readonly DomainError[]): DomainError | null {
  if (errors.length === 0) return null;
  return new DomainError('INVALID_POLICY', errors.map((e) => e.message).join(' '), { problems: errors.map((e) => e.message) });
}

/** The users and groups a policy names, for the caller to check against the directory. */
export function namedDirectoryObjects(settings: ApprovalSettings): { userIds: string[]; groupIds: string[] } {
  const refs = settings.stages.flatMap((s) => [...s.primaryApprovers, ...s.escalationApprovers]);
  return {
    userIds: [...new Set(refs.flatMap((r) => (r.type === 'singleUser' ? [r.userId] : [])))],
    groupIds: [...new Set(refs.flatMap((r) => (r.type === 'groupMembers' ? [r.groupId] : [])))],
  };
}
