import { describe, expect, it } from 'vitest';
import type { ApprovalSettings, PolicyStage } from '../../../src/domain/policy.js';
import { MAX_POLICY_DURATION_MINUTES, combinePolicyErrors, knownApproverCount, namedDirectoryObjects, validateActivationRules, validateApprovalSettings } from '../../../src/domain/policy-validation.js';
import type { Family } from '../../../src/domain/request.js';

const stage = (over: Partial<PolicyStage> = {}): PolicyStage => ({
  displayName: null, timeoutMinutes: 1440, isApproverJustificationRequired: true, isEscalationEnabled: false, escalationMinutes: 0,
  primaryApprovers: [{ type: 'singleUser', userId: 'bob' }], escalationApprovers: [], approvalsRequired: 1, ...over,
});
const serial = (...stages: PolicyStage[]): ApprovalSettings => ({ mode: stages.length > 1 ? 'Serial' : 'SingleStage', isRequestorJustificationRequired: true, stages });
const users = (...ids: string[]) => ids.map((userId) => ({ type: 'singleUser' as const, userId }));

describe('validateApprovalSettings', () => {
  const rows: Array<[string, ApprovalSettings, Family, RegExp | null]> = [
    // [what the row proves, settings, family, expected message or null when valid]
    ['one stage with one approver is valid', serial(stage()), 'directoryRole', null],
    ['PIM for roles allows two stages', serial(stage(), stage()), 'directoryRole', null],
    ['PIM for roles refuses a third stage', serial(stage(), stage(), stage()), 'directoryRole', /At most 2 approval stages/],
    ['PIM for groups refuses a third stage', serial(stage(), stage(), stage()), 'group', /At most 2/],
    ['entitlement management allows three stages', serial(stage(), stage(), stage()), 'accessPackage', null],
    ['entitlement management refuses a fourth', serial(stage(), stage(), stage(), stage()), 'accessPackage', /At most 3/],
    ['a stage needs a primary approver', serial(stage({ primaryApprovers: [] })), 'directoryRole', /Stage 1: at least one primary approver/],
    ['escalation at the timeout could never happen', serial(stage({ isEscalationEnabled: true, escalationMinutes: 1440, escalationApprovers: users('carol') })), 'group', /shorter than the stage timeout/],
    ['escalation before the timeout is valid', serial(stage({ isEscalationEnabled: true, escalationMinutes: 60, escalationApprovers: users('carol') })), 'group', null],
    ['escalation needs someone to escalate to', serial(stage({ isEscalationEnabled: true, escalationMinutes: 60 })), 'group', /no escalation approver/],
    ['a disabled escalation time is not checked', serial(stage({ escalationMinutes: 5000 })), 'group', null],
    ['k cannot exceed the named approvers', serial(stage({ approvalsRequired: 2 })), 'directoryRole', /approvalsRequired is 2 but only 1/],
    ['k of n within the named approvers is valid', serial(stage({ approvalsRequired: 2, primaryApprovers: users('bob', 'carol') })), 'directoryRole', null],
    ['duplicates do not count twice toward n', serial(stage({ approvalsRequired: 2, primaryApprovers: users('bob', 'BOB') })), 'directoryRole', /only 1/],
    ['k over a group is left to the directory', serial(stage({ approvalsRequired: 5, primaryApprovers: [{ type: 'groupMembers', groupId: 'g' }] })), 'group', null],
    ['k below one is refused', serial(stage({ approvalsRequired: 0 })), 'directoryRole', /at least 1/],
    ['a timeout under a minute is refused', serial(stage({ timeoutMinutes: 0 })), 'directoryRole', /timeout/],
    ['a timeout of 3660 days is the longest allowed', serial(stage({ timeoutMinutes: MAX_POLICY_DURATION_MINUTES })), 'accessPackage', null],
    ['a timeout a minute longer is refused', serial(stage({ timeoutMinutes: MAX_POLICY_DURATION_MINUTES + 1 })), 'accessPackage', /timeout must be a whole number of minutes from 1 to/],
    ['a timeout of 999,999,999,999 days is refused', serial(stage({ timeoutMinutes: 999_999_999_999 * 1440 })), 'directoryRole', /timeout/],
    ['an infinite timeout is refused', serial(stage({ timeoutMinutes: Number.POSITIVE_INFINITY })), 'group', /timeout/],
    ['an escalation time past the bound is refused even under a longer timeout', serial(stage({ timeoutMinutes: 99_999_999_999_999, isEscalationEnabled: true, escalationMinutes: 99_999_999_999_998, escalationApprovers: users('carol') })), 'group', /escalation time must be a whole number of minutes from 1 to/],
    ['manager levels stop at 2', serial(stage({ primaryApprovers: [{ type: 'requestorManager', managerLevel: 3 }] })), 'accessPackage', /managerLevel/],
    ['SingleStage means one stage', { mode: 'SingleStage', isRequestorJustificationRequired: false, stages: [stage(), stage()] }, 'directoryRole', /exactly one/],
    ['NoApproval takes no stages', { mode: 'NoApproval', isRequestorJustificationRequired: false, stages: [stage()] }, 'directoryRole', /takes no approval stages/],
    ['NoApproval without stages is valid', { mode: 'NoApproval', isRequestorJustificationRequired: false, stages: [] }, 'directoryRole', null],
  ];
  it.each(rows)('%s', (_why, settings, family, expected) => {
    const error = combinePolicyErrors(validateApprovalSettings(settings, family));
    if (expected === null) expect(error).toBeNull();
    else {
      expect(error?.code).toBe('INVALID_POLICY');
      expect(error?.message).toMatch(expected);
    }
  });

  it('reports every problem at once', () => {
    const error = combinePolicyErrors(validateApprovalSettings(serial(stage({ primaryApprovers: [] }), stage({ timeoutMinutes: 0 }), stage()), 'group'));
    expect(error?.details.problems).toHaveLength(3);
  });
});

describe('validateActivationRules', () => {
  const rules = { isJustificationRequired: false, isTicketingRequired: false };
  it.each([
    // [what the row proves, maximum activation in minutes, accepted]
    ['one minute is the shortest', 1, true],
    ['3660 days is the longest', MAX_POLICY_DURATION_MINUTES, true],
    ['zero is refused', 0, false],
    ['longer than 3660 days is refused', MAX_POLICY_DURATION_MINUTES + 1, false],
    ['99,999,999 days is refused', 99_999_999 * 1440, false],
  ])('%s', (_what, maximumDurationMinutes, accepted) => {
    const errors = validateActivationRules({ ...rules, maximumDurationMinutes });
    expect(errors.map((e) => e.code)).toEqual(accepted ? [] : ['INVALID_POLICY']);
  });
});

describe('policy facts', () => {
  it('counts named approvers only when the directory plays no part', () => {
    expect(knownApproverCount(stage({ primaryApprovers: users('a', 'b') }))).toBe(2);
    expect(knownApproverCount(stage({ primaryApprovers: [...users('a'), { type: 'requestorManager', managerLevel: 1 }] }))).toBeNull();
  });
  it('lists the users and groups a policy names, once each', () => {
    const settings = serial(stage({ primaryApprovers: [...users('a'), { type: 'groupMembers', groupId: 'g' }], escalationApprovers: users('a', 'b') }), stage());
    expect(namedDirectoryObjects(settings)).toEqual({ userIds: ['a', 'b', 'bob'], groupIds: ['g'] });
  });
});
