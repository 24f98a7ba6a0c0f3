import { DomainError } from './errors.js';
import type { Policy } from './policy.js';
import { type RequestAction, type Schedule, type Target, type Ticket, isSelfService } from './request.js';
import { type Instant, LATEST_INSTANT, addWithinCalendar, isValidInstant, parseDuration } from './time.js';

export interface ExpirationInput {
  readonly type?: string | null;
  readonly duration?: string | null;
  readonly endDateTime?: string | null;
}

export interface ActivationInput {
  readonly target: Target;
  readonly action: RequestAction;
  readonly principalId: string;
  readonly callerId: string;
  readonly justification: string | null;
  readonly ticket: Ticket | null;
  readonly startDateTime: string | null;
  readonly expiration: ExpirationInput | null;
  readonly now: Instant;
}

/** What the store knows about the principal and target, read before the rules run. */
export interface ActivationFacts {
  readonly policy: Policy;
  readonly isEligible: boolean;
  readonly hasActiveAssignment: boolean;
  readonly hasOpenRequest: boolean;
}

const EXPIRATION_TYPES = ['notSpecified', 'noExpiration', 'afterDateTime', 'afterDuration'] as const;

function notAnInstant(field: string, value: string | null | undefined): DomainError {
  return new DomainError('INVALID_SCHEDULE', `${field} '${value ?? ''}' is not a real ISO 8601 date and time up to ${LATEST_INSTANT}.`);
}

function endAfter(startAt: Instant, ms: number): Instant {
  const endAt = addWithinCalendar(startAt, ms);
  if (endAt === null) throw new DomainError('INVALID_SCHEDULE', `The schedule would end after ${LATEST_INSTANT}, the latest instant Signoff keeps.`);
  return endAt;
}

export function parseSchedule(input: Pick<ActivationInput, 'startDateTime' | 'expiration' | 'now'>, policy: Pick<Policy, 'activation'>): Schedule {
  if (input.startDateTime !== null && !isValidInstant(input.startDateTime)) throw notAnInstant('scheduleInfo.startDateTime', input.startDateTime);
  // A start in the past means "now": clients commonly send the moment they built the request.
  const askedStart = input.startDateTime ? new Date(input.startDateTime).toISOString() : input.now;
  const startAt = askedStart < input.now ? input.now : askedStart;
  const exp = input.expiration ?? {};
  const rawType = exp.type ?? (exp.duration ? 'afterDuration' : exp.endDateTime ? 'afterDateTime' : 'notSpecified');
  const type = EXPIRATION_TYPES.find((t) => t.toLowerCase() === String(rawType).toLowerCase());
  if (!type) {
    throw new DomainError('INVALID_SCHEDULE', `scheduleInfo.expiration.type '${rawType}' is not one of ${EXPIRATION_TYPES.join(', ')}.`);
  }
  if (type === 'afterDuration') {
    const ms = exp.duration ? parseDuration(exp.duration) : null;
    if (ms === null || ms <= 0) {
      throw new DomainError('INVALID_SCHEDULE', `scheduleInfo.expiration.duration '${exp.duration ?? ''}' is not a positive ISO 8601 duration such as 'PT1H'.`);
    }
    if (exp.endDateTime) throw new DomainError('INVALID_SCHEDULE', 'scheduleInfo.expiration takes a duration or an endDateTime, not both.');
    return { startAt, endAt: endAfter(startAt, ms), expirationType: type, duration: exp.duration! };
  }
  if (type === 'afterDateTime') {
    if (!exp.endDateTime || !isValidInstant(exp.endDateTime)) throw notAnInstant('scheduleInfo.expiration.endDateTime', exp.endDateTime);
    const endAt = new Date(exp.endDateTime).toISOString();
    if (endAt <= startAt) throw new DomainError('INVALID_SCHEDULE', 'scheduleInfo.expiration.endDateTime must be after the start.');
    return { startAt, endAt, expirationType: type, duration: null };
  }
  if (type === 'noExpiration') return { startAt, endAt: null, expirationType: type, duration: null };
  // No stated end on an activation means the longest the policy allows, as Entra does.
  return { startAt, endAt: endAfter(startAt, policy.activation.maximumDurationMinutes * 60_000), expirationType: type, duration: null };
}

/**
 * The activation rules Entra applies before a request is accepted. Policy rule failures are
 * gathered into one error naming every failed rule, as Graph reports them.
 */
export function validateActivation(input: ActivationInput, facts: ActivationFacts): Schedule {
  if (isSelfService(input.action) && input.principalId !== input.callerId) {
    throw new DomainError('NOT_OWN_REQUEST', `A ${input.action} request must name the caller as its principal.`);
  }
  const isPackage = input.target.family === 'accessPackage';
  if (!facts.isEligible) {
    const what = isPackage ? 'may not request this access package under this policy' : 'is not eligible for this role or group at this scope';
    throw new DomainError('NOT_ELIGIBLE', `The principal ${what}.`, { rules: ['EligibilityRule'] });
  }
  if (facts.hasActiveAssignment) {
    // PIM (roles and groups) words it as Entra does; entitlement management speaks of packages.
    throw new DomainError('ASSIGNMENT_EXISTS', isPackage ? 'The principal already has an assignment of this access package.' : 'The Role assignment already exists.');
  }
  if (facts.hasOpenRequest) {
    throw new DomainError('PENDING_REQUEST_EXISTS', 'There is already an existing pending request for this principal and target.');
  }
  const schedule = parseSchedule(input, facts.policy);
  const failed: string[] = [];
  const { activation, approval } = facts.policy;
  const justification = (input.justification ?? '').trim();
  if ((activation.isJustificationRequired || approval.isRequestorJustificationRequired) && justification === '') failed.push('JustificationRule');
  if (activation.isTicketingRequired && !(input.ticket?.ticketNumber ?? '').trim()) failed.push('TicketingRule');
  if (schedule.endAt === null || Date.parse(schedule.endAt) - Date.parse(schedule.startAt) > activation.maximumDurationMinutes * 60_000) {
    failed.push('ExpirationRule');
  }
  if (failed.length > 0) {
    throw new DomainError('POLICY_VALIDATION_FAILED', `The following policy rules failed: ${JSON.stringify(failed)}`, { rules: failed });
  }
  return schedule;
}
