import type { Instant } from './time.js';

/** The kinds of access Signoff governs; each wire adapter names them its own way. */
export type Family = 'directoryRole' | 'group' | 'accessPackage' | 'azureRole';

export const FAMILIES: readonly Family[] = ['directoryRole', 'group', 'accessPackage', 'azureRole'];

/** Graph's `request.status` values; entitlement management maps them to its own `state`. */
export const REQUEST_STATUSES = ['PendingApproval', 'Granted', 'Provisioned', 'Denied', 'Canceled', 'Failed', 'Revoked'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export type RequestAction =
  | 'selfActivate' | 'adminAssign' | 'userAdd'
  | 'selfDeactivate' | 'adminRemove' | 'selfExtend' | 'selfRenew' | 'adminExtend' | 'adminRenew'
  | 'breakGlass';

/** A principal asking for themselves: a PIM activation or an access package request (`UserAdd`). */
export function isSelfService(action: RequestAction): boolean {
  return action === 'selfActivate' || action === 'userAdd';
}

export interface Ticket {
  readonly ticketNumber: string | null;
  readonly ticketSystem: string | null;
}

export interface Schedule {
  readonly startAt: Instant;
  /** null means no expiration. */
  readonly endAt: Instant | null;
  /** The expiration exactly as asked, so it can be shown back (`afterDuration`, `PT1H`, ...). */
  readonly expirationType: 'noExpiration' | 'afterDateTime' | 'afterDuration' | 'notSpecified';
  readonly duration: string | null;
}

/** What is asked for: a role at a scope, a group relationship, or an access package. */
export interface Target {
  readonly family: Family;
  /** roleDefinitionId, groupId or accessPackageId. */
  readonly resourceId: string;
  /** directoryScopeId (`/`), ARM scope, group accessId (`member`/`owner`) or assignment policy id. */
  readonly scope: string;
}

export interface AccessRequest {
  readonly id: string;
  readonly target: Target;
  readonly action: RequestAction;
  readonly principalId: string;
  readonly createdBy: string;
  readonly justification: string | null;
  readonly ticket: Ticket | null;
  readonly schedule: Schedule;
  readonly status: RequestStatus;
  readonly approvalId: string | null;
  readonly policyId: string | null;
  readonly policyVersion: number | null;
  readonly createdAt: Instant;
  readonly completedAt: Instant | null;
}

export const OPEN_STATUSES: readonly RequestStatus[] = ['PendingApproval', 'Granted'];

export function isOpen(status: RequestStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.family === b.family && a.resourceId === b.resourceId && a.scope.toLowerCase() === b.scope.toLowerCase();
}
