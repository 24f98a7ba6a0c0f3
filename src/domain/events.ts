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
  | 'assignment.ended';

export interface DomainEvent {
  readonly type: DomainEventType;
  readonly family: Family;
  readonly requestId: string;
  readonly stageId?: string;
  readonly assignmentId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}
