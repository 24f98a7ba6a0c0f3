import { describe, expect, it } from 'vitest';
import type { ActivationInput } from '../../../src/domain/activation.js';
import { type BreakGlassSettings, validateBreakGlass, validateBreakGlassSettings } from '../../../src/domain/break-glass.js';
import { type EligibilityFacts, type EligibilityRequestInput, validateEligibilityRequest } from '../../../src/domain/eligibility.js';
import { DomainError } from '../../../src/domain/errors.js';
import { type ScheduleRequestFacts, checkMayAct, requestNeedsApproval, validateScheduleRequest } from '../../../src/domain/lifecycle.js';
import type { Policy } from '../../../src/domain/policy.js';
import type { RequestAction } from '../../../src/domain/request.js';

const NOW = '2026-01-01T12:00:00.000Z';
const DAY = 24 * 3_600_000;
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
const stage = { displayName: null, timeoutMinutes: 60, isApproverJustificationRequired: false, isEscalationEnabled: false, escalationMinutes: 0, primaryApprovers: [], escalationApprovers: [], approvalsRequired: 1 };
const policy: Policy = {
  id: 'p', version: 1,
  approval: { mode: 'SingleStage', isRequestorJustificationRequired: false, stages: [stage] },
  activation: { maximumDurationMinutes: 480, isJustificationRequired: false, isTicketingRequired: false },
};

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return e.code;
  }
}

describe('checkMayAct', () => {
  const rows: Array<[string, RequestAction, string, boolean, string | null]> = [
    ['a principal deactivates their own access', 'selfDeactivate', 'alice', false, null],
    ['nobody deactivates for someone else', 'selfExtend', 'bob', false, 'NOT_OWN_REQUEST'],
    ['an administrator assigns anyone', 'adminAssign', 'bob', true, null],
    ['a non-administrator may not assign, even themselves', 'adminRemove', 'alice', false, 'ACCESS_DENIED'],
  ];
  it.each(rows)('%s', (_what, action, principalId, isAdmin, expected) => {
    expect(codeOf(() => checkMayAct(action, principalId, 'alice', isAdmin))).toBe(expected);
  });
});

describe('validateScheduleRequest', () => {
  const input = (action: RequestAction, hours = 4): ActivationInput => ({
    target: { family: 'directoryRole', resourceId: 'r', scope: '/' }, action, principalId: 'alice', callerId: 'alice',
    justification: 'why', ticket: null, startDateTime: null, expiration: { type: 'afterDuration', duration: `PT${hours}H` }, now: NOW,
  });
  const facts = (f: Partial<ScheduleRequestFacts>): ScheduleRequestFacts => ({ policy, isEligible: true, hasOpenRequest: false, activeAssignment: null, lastEndedAt: null, ...f });
  const rows: Array<[string, RequestAction, Partial<ScheduleRequestFacts>, number, string | null]> = [
    ['an extension in the last 14 days of the assignment', 'selfExtend', { activeAssignment: { endAt: at(3_600_000) } }, 4, null],
    ['no extension without an active assignment', 'selfExtend', {}, 4, 'ASSIGNMENT_NOT_FOUND'],
    ['no extension of a permanent assignment', 'adminExtend', { activeAssignment: { endAt: null } }, 4, 'INVALID_REQUEST'],
    ['no extension more than 14 days before the end', 'selfExtend', { activeAssignment: { endAt: at(15 * DAY) } }, 4, 'INVALID_REQUEST'],
    ['an extension must end later than the assignment', 'selfExtend', { activeAssignment: { endAt: at(5 * 3_600_000) } }, 4, 'INVALID_SCHEDULE'],
    ['an extension still obeys the maximum duration', 'selfExtend', { activeAssignment: { endAt: at(3_600_000) } }, 9, 'POLICY_VALIDATION_FAILED'],
    ['a renewal within 90 days of the end', 'selfRenew', { lastEndedAt: at(-89 * DAY) }, 4, null],
    ['no renewal after 90 days', 'selfRenew', { lastEndedAt: at(-91 * DAY) }, 4, 'ASSIGNMENT_NOT_FOUND'],
    ['no renewal while the assignment is active', 'selfRenew', { activeAssignment: { endAt: at(DAY) } }, 4, 'ASSIGNMENT_EXISTS'],
    ['an activation is refused beside an active assignment', 'selfActivate', { activeAssignment: { endAt: at(DAY) } }, 4, 'ASSIGNMENT_EXISTS'],
  ];
  it.each(rows)('%s', (_what, action, f, hours, expected) => {
    expect(codeOf(() => validateScheduleRequest(input(action, hours), facts(f)))).toBe(expected);
  });
});

describe('requestNeedsApproval', () => {
  const extension = { ...policy, approval: { ...policy.approval, isApprovalRequiredForExtension: true } };
  const noApproval: Policy = { ...policy, approval: { ...policy.approval, mode: 'NoApproval', stages: [] } };
  const rows: Array<[string, Policy, RequestAction, boolean]> = [
    ['an activation under an approval policy', policy, 'selfActivate', true],
    ['an extension only when the policy asks for it', policy, 'selfExtend', false],
    ['an extension the policy wants approved', extension, 'selfRenew', true],
    ['an administrator assigning', extension, 'adminAssign', false],
    ['nothing under a policy without approval', noApproval, 'selfActivate', false],
  ];
  it.each(rows)('%s', (_what, p, action, expected) => {
    expect(requestNeedsApproval(p, action)).toBe(expected);
  });
});

describe('validateEligibilityRequest', () => {
  const input = (action: EligibilityRequestInput['action'], days: number | null = null): EligibilityRequestInput => ({
    action, startDateTime: null, expiration: days === null ? null : { type: 'afterDuration', duration: `P${days}D` }, now: NOW,
  });
  const current = (endInDays: number | null): EligibilityFacts => ({ current: { startAt: at(-DAY), endAt: endInDays === null ? null : at(endInDays * DAY) }, lastEndedAt: null });
  const none: EligibilityFacts = { current: null, lastEndedAt: null };
  it('makes a permanent eligibility when no end is named', () => {
    expect(validateEligibilityRequest(input('adminAssign'), none)).toMatchObject({ startAt: NOW, endAt: null, expirationType: 'noExpiration' });
  });
  it('keeps the original start when extending', () => {
    expect(validateEligibilityRequest(input('adminExtend', 30), current(5))).toMatchObject({ startAt: at(-DAY), endAt: at(30 * DAY) });
  });
  const rows: Array<[string, EligibilityRequestInput, EligibilityFacts, string | null]> = [
    ['a second eligibility for the same target', input('adminAssign'), current(null), 'ASSIGNMENT_EXISTS'],
    ['removing what does not exist', input('adminRemove'), none, 'ASSIGNMENT_NOT_FOUND'],
    ['updating an existing eligibility', input('adminUpdate', 10), current(null), null],
    ['extending too early', input('adminExtend', 60), current(30), 'INVALID_REQUEST'],
    ['renewing what never ended', input('adminRenew', 10), none, 'ASSIGNMENT_NOT_FOUND'],
    ['renewing what ended recently', input('adminRenew', 10), { current: null, lastEndedAt: at(-DAY) }, null],
  ];
  it.each(rows)('%s', (_what, i, f, expected) => {
    expect(codeOf(() => validateEligibilityRequest(i, f))).toBe(expected);
  });
});

describe('break-glass rules', () => {
  const settings: BreakGlassSettings = { enabled: true, maximumDurationMinutes: 60, reviewers: [{ type: 'singleUser', userId: 'carol' }], reviewWithinMinutes: 120 };
  it('grants the policy maximum when no duration is asked', () => {
    expect(validateBreakGlass(settings, { justification: 'down', duration: null, now: NOW })).toMatchObject({ startAt: NOW, endAt: at(3_600_000) });
  });
  const rows: Array<[string, BreakGlassSettings | null, string | null, string, string | null]> = [
    ['a policy without break-glass', null, 'down', 'PT1H', 'POLICY_VALIDATION_FAILED'],
    ['a disabled break-glass policy', { ...settings, enabled: false }, 'down', 'PT1H', 'POLICY_VALIDATION_FAILED'],
    ['no justification', settings, ' ', 'PT1H', 'POLICY_VALIDATION_FAILED'],
    ['longer than the emergency maximum', settings, 'down', 'PT2H', 'POLICY_VALIDATION_FAILED'],
    ['a bad duration', settings, 'down', 'soon', 'INVALID_SCHEDULE'],
  ];
  it.each(rows)('refuses %s', (_what, s, justification, duration, expected) => {
    expect(codeOf(() => validateBreakGlass(s, { justification, duration, now: NOW }))).toBe(expected);
  });
  it('refuses settings without reviewers or with unbounded durations', () => {
    expect(codeOf(() => validateBreakGlassSettings({ ...settings, reviewers: [] }))).toBe('INVALID_POLICY');
    expect(codeOf(() => validateBreakGlassSettings({ ...settings, reviewWithinMinutes: 0 }))).toBe('INVALID_POLICY');
    expect(codeOf(() => validateBreakGlassSettings(settings))).toBeNull();
  });
});
