import type { Family } from './request.js';

/** What happened, as the audit log and the outbox record it. */
export type DomainEventType =
  | 'request.created'
  | 'request.granted'
  | 'request.denied'
  | 'request.canceled'
  | 'stage.started'
  | 'stage.escalated'
  | 'stage.decided'
  | 'approval.expired'
  | 'assignment.started'
  | 'assignment.ended'
  | 'policy.updated'
  | 'eligibility.created'
  | 'eligibility.updated'
  | 'eligibility.removed'
  | 'breakGlass.activated'
  | 'breakGlass.reviewApproved'
  | 'breakGlass.incident';

export interface DomainEvent {
  readonly type: DomainEventType;
  readonly family: Family;
  /** null for events about no request, such as a policy change. */
  readonly requestId: string | null;
  readonly stageId?: string;
  readonly assignmentId?: string;
  readonly policyId?: string;
  readonly eligibilityId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Administrators' changes to users, groups, memberships and managers. */
export type DirectoryEventType =
  | 'directory.userCreated'
  | 'directory.userUpdated'
  | 'directory.userDeleted'
  | 'directory.groupCreated'
  | 'directory.memberAdded'
  | 'directory.memberRemoved'
  | 'directory.managerChanged';

export interface DirectoryEvent {
  readonly type: DirectoryEventType;
  readonly targetType: 'user' | 'group';
  readonly targetId: string;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
}
