/**
 * Every refusal the engine can give, with a stable code. Wire adapters map each code to their own
 * status and envelope; the domain never speaks HTTP.
 */
export type DomainErrorCode =
  | 'REQUEST_NOT_FOUND'
  | 'APPROVAL_NOT_FOUND'
  | 'STEP_NOT_FOUND'
  | 'TARGET_NOT_FOUND'
  | 'PRINCIPAL_NOT_FOUND'
  | 'NOT_AN_APPROVER'
  | 'SELF_APPROVAL'
  | 'STAGE_NOT_CURRENT'
  | 'STEP_ALREADY_DECIDED'
  | 'APPROVAL_CLOSED'
  | 'REQUEST_CANCELED'
  | 'STEP_EXPIRED'
  | 'JUSTIFICATION_REQUIRED'
  | 'INVALID_DECISION'
  | 'NOT_ELIGIBLE'
  | 'ASSIGNMENT_EXISTS'
  | 'PENDING_REQUEST_EXISTS'
  | 'POLICY_VALIDATION_FAILED'
  | 'INVALID_SCHEDULE'
  | 'NOT_CANCELABLE'
  | 'NOT_OWN_REQUEST'
  | 'ACCESS_DENIED'
  | 'INVALID_REQUEST'
  | 'POLICY_NOT_FOUND'
  | 'INVALID_POLICY'
  | 'SUBSCRIPTION_NOT_FOUND'
  | 'DELIVERY_NOT_FOUND'
  | 'ASSIGNMENT_NOT_FOUND';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
