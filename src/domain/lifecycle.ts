import { type ActivationFacts, type ActivationInput, validateActivation } from './activation.js';
import { DomainError } from './errors.js';
import { type Policy, requiresApproval } from './policy.js';
import type { RequestAction, Schedule } from './request.js';
import type { Instant } from './time.js';

/** Entra lets an assignment be extended in the last 14 days of its schedule... */
export const EXTEND_WINDOW_DAYS = 14;
/** ...and renewed up to 90 days after it ended. */
export const RENEW_WINDOW_DAYS = 90;
const DAY_MS = 24 * 60 * 60_000;

export type ExtensionAction = 'selfExtend' | 'adminExtend';
export type RenewalAction = 'selfRenew' | 'adminRenew';
export type RemovalAction = 'selfDeactivate' | 'adminRemove';

export function isExtension(action: RequestAction): action is ExtensionAction {
  return action === 'selfExtend' || action === 'adminExtend';
}

export function isRenewal(action: RequestAction): action is RenewalAction {
  return action === 'selfRenew' || action === 'adminRenew';
}

export function isRemoval(action: RequestAction): action is RemovalAction {
  return action === 'selfDeactivate' || action === 'adminRemove';
}

export function isAdminAction(action: RequestAction): boolean {
  return action.startsWith('admin');
}

/** A principal acting on their own access, where the request must name the caller. */
function isOwnAction(action: RequestAction): boolean {
  return action.startsWith('self') || action === 'userAdd';
}

/** Who may ask for what: admin actions need an administrator, self actions the principal themselves. */
export function checkMayAct(action: RequestAction, principalId: string, callerId: string, callerIsAdmin: boolean): void {
  if (isAdminAction(action) && !callerIsAdmin) {
    throw new DomainError('ACCESS_DENIED', `Only an administrator may submit a ${action} request.`);
  }
  if (isOwnAction(action) && principalId !== callerId) {
    throw new DomainError('NOT_OWN_REQUEST', `A ${action} request must name the caller as its principal.`);
  }
}

/** What the store knows besides the activation facts: the principal's current and most recent assignment. */
export interface ScheduleRequestFacts extends Omit<ActivationFacts, 'hasActiveAssignment'> {
  readonly activeAssignment: { readonly endAt: Instant | null } | null;
  /** When the principal's last assignment of this target ended, for renewals. */
  readonly lastEndedAt: Instant | null;
}

/**
 * The rules for every request that grants or prolongs access (activate, assign, extend, renew):
 * the activation rules of the policy, plus the windows within which extension and renewal are allowed.
 */
export function validateScheduleRequest(input: ActivationInput, facts: ScheduleRequestFacts): Schedule {
  const now = Date.parse(input.now);
  if (isExtension(input.action)) {
    const current = facts.activeAssignment;
    if (!current) throw new DomainError('ASSIGNMENT_NOT_FOUND', 'There is no active assignment to extend.');
    if (current.endAt === null || Date.parse(current.endAt) - now > EXTEND_WINDOW_DAYS * DAY_MS) {
      throw new DomainError('INVALID_REQUEST', `An assignment can be extended only in the last ${EXTEND_WINDOW_DAYS} days of its schedule.`);
    }
    const schedule = validateActivation(input, { ...facts, hasActiveAssignment: false });
    if (schedule.endAt !== null && schedule.endAt <= current.endAt) {
      throw new DomainError('INVALID_SCHEDULE', 'An extension must end after the assignment it extends.');
    }
    return schedule;
  }
  if (isRenewal(input.action)) {
    if (!facts.activeAssignment && (facts.lastEndedAt === null || now - Date.parse(facts.lastEndedAt) > RENEW_WINDOW_DAYS * DAY_MS)) {
      throw new DomainError('ASSIGNMENT_NOT_FOUND', `There is no assignment that ended in the last ${RENEW_WINDOW_DAYS} days to renew.`);
    }
  }
  return validateActivation(input, { ...facts, hasActiveAssignment: facts.activeAssignment !== null });
}

/**
 * Whether a request waits for approvers: activations when the policy asks for approval, extensions
 * and renewals a requestor asks for only when the policy also says so, administrators' own actions never.
 */
export function requestNeedsApproval(policy: Policy, action: RequestAction): boolean {
  if (!requiresApproval(policy)) return false;
  if (action === 'selfActivate' || action === 'userAdd') return true;
  if (action === 'selfExtend' || action === 'selfRenew') return policy.approval.isApprovalRequiredForExtension === true;
  return false;
}
