import { parseSchedule } from './activation.js';
import { DomainError } from './errors.js';
import type { ApproverRef, PolicyStage } from './policy.js';
import type { Schedule } from './request.js';
import type { Instant } from './time.js';

/** Emergency access a policy may allow: granted at once, reviewed after the fact. */
export interface BreakGlassSettings {
  readonly enabled: boolean;
  /** The longest an emergency activation may last, shorter than an ordinary one. */
  readonly maximumDurationMinutes: number;
  /** Who reviews an emergency activation; their Deny, or no answer in time, revokes it. */
  readonly reviewers: readonly ApproverRef[];
  readonly reviewWithinMinutes: number;
}

/** Bounds kept generous but finite: an emergency lasts hours, a review days at most. */
const MAX_DURATION_MINUTES = 24 * 60;
const MAX_REVIEW_MINUTES = 14 * 24 * 60;

export function validateBreakGlassSettings(settings: BreakGlassSettings): void {
  const problems: string[] = [];
  if (!Number.isInteger(settings.maximumDurationMinutes) || settings.maximumDurationMinutes < 1 || settings.maximumDurationMinutes > MAX_DURATION_MINUTES) {
    problems.push(`maximumDurationMinutes must be a whole number from 1 to ${MAX_DURATION_MINUTES}`);
  }
  if (!Number.isInteger(settings.reviewWithinMinutes) || settings.reviewWithinMinutes < 1 || settings.reviewWithinMinutes > MAX_REVIEW_MINUTES) {
    problems.push(`reviewWithinMinutes must be a whole number from 1 to ${MAX_REVIEW_MINUTES}`);
  }
  if (settings.enabled && settings.reviewers.length === 0) problems.push('an enabled break-glass policy needs at least one reviewer');
  if (problems.length > 0) throw new DomainError('INVALID_POLICY', `Invalid break-glass settings: ${problems.join('; ')}.`);
}

export interface BreakGlassInput {
  readonly justification: string | null;
  /** ISO 8601 duration; the policy's maximum when absent. */
  readonly duration: string | null;
  readonly now: Instant;
}

/**
 * May this emergency activation go ahead, and for how long? A justification is always required:
 * it is what the reviewers judge. Failures name the rules, as activation failures do.
 */
export function validateBreakGlass(settings: BreakGlassSettings | null, input: BreakGlassInput): Schedule {
  if (!settings?.enabled) {
    throw new DomainError('POLICY_VALIDATION_FAILED', 'The policy does not allow emergency activation: ["BreakGlassRule"]', { rules: ['BreakGlassRule'] });
  }
  const schedule = parseSchedule(
    { startDateTime: null, expiration: input.duration ? { type: 'afterDuration', duration: input.duration } : null, now: input.now },
    { activation: { maximumDurationMinutes: settings.maximumDurationMinutes, isJustificationRequired: true, isTicketingRequired: false } },
  );
  const failed: string[] = [];
  if (!(input.justification ?? '').trim()) failed.push('JustificationRule');
  if (Date.parse(schedule.endAt!) - Date.parse(schedule.startAt) > settings.maximumDurationMinutes * 60_000) failed.push('ExpirationRule');
  if (failed.length > 0) {
    throw new DomainError('POLICY_VALIDATION_FAILED', `The following policy rules failed: ${JSON.stringify(failed)}`, { rules: failed });
  }
  return schedule;
}

/** The after-the-fact review as one approval stage: its timeout is the review deadline. */
export function reviewStage(settings: BreakGlassSettings): PolicyStage {
  return {
    displayName: 'Break-glass review', timeoutMinutes: settings.reviewWithinMinutes, isApproverJustificationRequired: false,
    isEscalationEnabled: false, escalationMinutes: 0, primaryApprovers: settings.reviewers, escalationApprovers: [], approvalsRequired: 1,
  };
}
