import { type ExpirationInput, parseSchedule } from './activation.js';
import { DomainError } from './errors.js';
import { EXTEND_WINDOW_DAYS, RENEW_WINDOW_DAYS } from './lifecycle.js';
import type { Schedule } from './request.js';
import type { Instant } from './time.js';

/** What an administrator may do to an eligibility, as Graph's eligibility schedule requests name it. */
export type EligibilityAction = 'adminAssign' | 'adminRemove' | 'adminUpdate' | 'adminExtend' | 'adminRenew';

export const ELIGIBILITY_ACTIONS: readonly EligibilityAction[] = ['adminAssign', 'adminRemove', 'adminUpdate', 'adminExtend', 'adminRenew'];

export interface EligibilityRequestInput {
  readonly action: EligibilityAction;
  readonly startDateTime: string | null;
  readonly expiration: ExpirationInput | null;
  readonly now: Instant;
}

export interface EligibilityFacts {
  /** The eligibility in force (or scheduled) for this principal and target, if any. */
  readonly current: { readonly startAt: Instant; readonly endAt: Instant | null } | null;
  /** When the principal's last eligibility for this target ended, for renewals. */
  readonly lastEndedAt: Instant | null;
}

const DAY_MS = 24 * 60 * 60_000;

/** Eligibility may be permanent: a request that names no end means no expiration, unlike an activation. */
function eligibilitySchedule(input: EligibilityRequestInput): Schedule {
  const exp = input.expiration ?? {};
  const unstated = !exp.type && !exp.duration && !exp.endDateTime;
  const expiration = unstated || exp.type?.toLowerCase() === 'notspecified' ? { type: 'noExpiration' } : exp;
  return parseSchedule({ startDateTime: input.startDateTime, expiration, now: input.now }, { activation: { maximumDurationMinutes: 0, isJustificationRequired: false, isTicketingRequired: false } });
}

/**
 * The rules of an eligibility change. Returns the schedule the eligibility will have, or null when
 * the change removes it.
 */
export function validateEligibilityRequest(input: EligibilityRequestInput, facts: EligibilityFacts): Schedule | null {
  const { current } = facts;
  const now = Date.parse(input.now);
  switch (input.action) {
    case 'adminAssign':
      if (current) throw new DomainError('ASSIGNMENT_EXISTS', 'The Role eligibility already exists.');
      return eligibilitySchedule(input);
    case 'adminRemove':
      if (!current) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'There is no eligibility to remove.');
      return null;
    case 'adminUpdate':
      if (!current) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'There is no eligibility to update.');
      return eligibilitySchedule(input);
    case 'adminExtend': {
      if (!current) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'There is no eligibility to extend.');
      if (current.endAt === null || Date.parse(current.endAt) - now > EXTEND_WINDOW_DAYS * DAY_MS) {
        throw new DomainError('INVALID_REQUEST', `An eligibility can be extended only in the last ${EXTEND_WINDOW_DAYS} days of its schedule.`);
      }
      const schedule = eligibilitySchedule(input);
      if (schedule.endAt !== null && schedule.endAt <= current.endAt) {
        throw new DomainError('INVALID_SCHEDULE', 'An extension must end after the eligibility it extends.');
      }
      // Extending keeps the eligibility's original start.
      return { ...schedule, startAt: current.startAt };
    }
    case 'adminRenew':
      if (current) throw new DomainError('ASSIGNMENT_EXISTS', 'The eligibility is still in force; extend it instead.');
      if (facts.lastEndedAt === null || now - Date.parse(facts.lastEndedAt) > RENEW_WINDOW_DAYS * DAY_MS) {
        throw new DomainError('ASSIGNMENT_NOT_FOUND', `There is no eligibility that ended in the last ${RENEW_WINDOW_DAYS} days to renew.`);
      }
      return eligibilitySchedule(input);
  }
}
