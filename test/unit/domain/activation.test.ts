import { describe, expect, it } from 'vitest';
import { type ActivationFacts, type ActivationInput, validateActivation } from '../../../src/domain/activation.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { Policy } from '../../../src/domain/policy.js';
import { LATEST_INSTANT, addWithinCalendar, formatDuration, isValidInstant, parseDuration } from '../../../src/domain/time.js';

const NOW = '2026-01-01T12:00:00.000Z';
const policy: Policy = {
  id: 'p', version: 1,
  approval: { mode: 'SingleStage', isRequestorJustificationRequired: true, stages: [] },
  activation: { maximumDurationMinutes: 480, isJustificationRequired: true, isTicketingRequired: false },
};
const facts: ActivationFacts = { policy, isEligible: true, hasActiveAssignment: false, hasOpenRequest: false };
const input: ActivationInput = {
  target: { family: 'directoryRole', resourceId: 'r', scope: '/' }, action: 'selfActivate', principalId: 'alice', callerId: 'alice',
  justification: 'why', ticket: null, startDateTime: NOW, expiration: { type: 'AfterDuration', duration: 'PT1H' }, now: NOW,
};

function refusal(i: Partial<ActivationInput>, f: Partial<ActivationFacts> = {}): { code: string; rules?: unknown } | null {
  try {
    validateActivation({ ...input, ...i }, { ...facts, ...f });
    return null;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { code: e.code, rules: e.details.rules };
  }
}

describe('validateActivation', () => {
  it('accepts a valid activation and computes the schedule (enum input case-insensitive)', () => {
    expect(validateActivation(input, facts)).toEqual({ startAt: NOW, endAt: '2026-01-01T13:00:00.000Z', expirationType: 'afterDuration', duration: 'PT1H' });
  });
  const rows: Array<[string, Partial<ActivationInput>, Partial<ActivationFacts>, string, unknown?]> = [
    ['selfActivate must be for the caller', { principalId: 'bob' }, {}, 'NOT_OWN_REQUEST'],
    ['only an eligible principal may activate', {}, { isEligible: false }, 'NOT_ELIGIBLE'],
    ['an active assignment refuses a second activation', {}, { hasActiveAssignment: true }, 'ASSIGNMENT_EXISTS'],
    ['a pending request refuses a second one', {}, { hasOpenRequest: true }, 'PENDING_REQUEST_EXISTS'],
    ['justification required by policy', { justification: ' ' }, {}, 'POLICY_VALIDATION_FAILED', ['JustificationRule']],
    ['longer than the maximum duration', { expiration: { type: 'afterDuration', duration: 'PT9H' } }, {}, 'POLICY_VALIDATION_FAILED', ['ExpirationRule']],
    ['every failed rule is named at once', { justification: null, expiration: { type: 'noExpiration' } }, {}, 'POLICY_VALIDATION_FAILED', ['JustificationRule', 'ExpirationRule']],
    ['a malformed duration', { expiration: { type: 'afterDuration', duration: '1 hour' } }, {}, 'INVALID_SCHEDULE'],
    ['an unknown expiration type', { expiration: { type: 'whenever' } }, {}, 'INVALID_SCHEDULE'],
    ['a malformed start', { startDateTime: 'tomorrow' }, {}, 'INVALID_SCHEDULE'],
    ['an end before the start', { expiration: { type: 'afterDateTime', endDateTime: '2025-01-01T00:00:00Z' } }, {}, 'INVALID_SCHEDULE'],
    // Durations too long for a date: refused by the parser, before the policy's maximum is compared (a JS Date would throw).
    ['a duration of 99,999,999 days', { expiration: { type: 'afterDuration', duration: 'P99999999D' } }, {}, 'INVALID_SCHEDULE'],
    ['a duration of 9,999,999,999,999 hours', { expiration: { type: 'afterDuration', duration: 'PT9999999999999H' } }, {}, 'INVALID_SCHEDULE'],
    ['a duration past any number', { expiration: { type: 'afterDuration', duration: `P${'9'.repeat(400)}D` } }, {}, 'INVALID_SCHEDULE'],
    ['a short duration that still ends after 9999', { startDateTime: '9999-12-31T23:30:00Z', expiration: { type: 'afterDuration', duration: 'PT1H' } }, {}, 'INVALID_SCHEDULE'],
    ['a policy maximum that ends after 9999', { expiration: null }, { policy: { ...policy, activation: { ...policy.activation, maximumDurationMinutes: 99_999_999_999 } } }, 'INVALID_SCHEDULE'],
    ['a start on a day the month does not have', { startDateTime: '2027-02-30T00:00:00Z' }, {}, 'INVALID_SCHEDULE'],
    ['an end on a day the month does not have', { expiration: { type: 'afterDateTime', endDateTime: '2026-04-31T00:00:00Z' } }, {}, 'INVALID_SCHEDULE'],
    ['a start past 9999 once its offset is applied', { startDateTime: '9999-12-31T23:00:00-05:00' }, {}, 'INVALID_SCHEDULE'],
  ];
  it.each(rows)('refuses: %s', (_what, i, f, code, rules) => {
    const r = refusal(i, f);
    expect(r?.code).toBe(code);
    if (rules) expect(r?.rules).toEqual(rules);
  });
  it('ticket required by policy', () => {
    const strict = { ...policy, activation: { ...policy.activation, isTicketingRequired: true } };
    expect(refusal({}, { policy: strict })?.rules).toEqual(['TicketingRule']);
    expect(refusal({ ticket: { ticketNumber: 'T-1', ticketSystem: null } }, { policy: strict })).toBeNull();
  });
  it('a start in the past means now; no expiration given means the policy maximum', () => {
    const s = validateActivation({ ...input, startDateTime: '2020-01-01T00:00:00Z', expiration: null }, facts);
    expect(s.startAt).toBe(NOW);
    expect(s.endAt).toBe('2026-01-01T20:00:00.000Z');
  });
});

describe('instants', () => {
  it.each([
    // [what the row proves, text, accepted]
    ['a leap day in a leap year', '2028-02-29T00:00:00Z', true],
    ['a leap day in a year that is not', '2027-02-29T00:00:00Z', false],
    ['a leap day in a century year divisible by 400', '2000-02-29T00:00:00Z', true],
    ['a leap day in a century year that is not', '2100-02-29T00:00:00Z', false],
    ['the 31st of a 30-day month', '2026-06-31T08:00:00+02:00', false],
    ['the 31st of a 31-day month', '2026-12-31T08:00:00+02:00', true],
    ['the last instant Signoff keeps', LATEST_INSTANT, true],
    ['one past it', '9999-12-31T23:59:59.999-00:01', false],
  ])('%s', (_what, text, accepted) => expect(isValidInstant(text)).toBe(accepted));
  it('arithmetic refuses to leave the calendar rather than throw', () => {
    expect(addWithinCalendar(NOW, 3_600_000)).toBe('2026-01-01T13:00:00.000Z');
    expect(addWithinCalendar(NOW, 99_999_999 * 86_400_000)).toBeNull();
    expect(addWithinCalendar(NOW, Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('ISO 8601 durations', () => {
  it.each([['PT1H', 3_600_000], ['P1D', 86_400_000], ['P1DT2H30M', 95_400_000], ['PT90S', 90_000], ['PT0.5S', 500]])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', 'P', 'PT', '1H', 'P1Y', 'PT-1H', 'pt1hx'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());
  it('formats back', () => expect(formatDuration(95_400_000)).toBe('P1DT2H30M'));
});
