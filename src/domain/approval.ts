import type { PolicyStage } from './policy.js';
import type { Family } from './request.js';
import type { Instant } from './time.js';

export type StageStatus = 'NotStarted' | 'InProgress' | 'Escalated' | 'Completed' | 'Expired';
export type ReviewResult = 'NotReviewed' | 'Approve' | 'Deny';
export type Decision = 'Approve' | 'Deny';

export interface StageApproval {
  readonly reviewerId: string;
  readonly at: Instant;
  readonly justification: string;
}

export interface Stage {
  readonly id: string;
  readonly index: number;
  readonly status: StageStatus;
  readonly reviewResult: ReviewResult;
  readonly reviewedBy: string | null;
  readonly reviewedAt: Instant | null;
  readonly justification: string;
  /** The policy stage as it was when the approval was created; later policy edits do not reach it. */
  readonly config: PolicyStage;
  /** Resolved when the stage starts, so a later directory change cannot widen who may decide. */
  readonly approverIds: readonly string[];
  readonly escalationApproverIds: readonly string[];
  /** Approvals recorded so far when the stage needs more than one. */
  readonly approvals: readonly StageApproval[];
  readonly startedAt: Instant | null;
  readonly escalateAt: Instant | null;
  readonly expireAt: Instant | null;
  /** Bumped on every write; the store's conditional update uses it so a lost race is detected. */
  readonly version: number;
}

export type ApprovalStatus = 'Pending' | 'Approved' | 'Denied' | 'Expired' | 'Canceled';

export interface Approval {
  /** Equals the id of the request it decides (Graph's rule). */
  readonly id: string;
  readonly family: Family;
  readonly requestorId: string;
  readonly status: ApprovalStatus;
  readonly stages: readonly Stage[];
}

export function currentStage(approval: Approval): Stage | undefined {
  return approval.stages.find((s) => s.status === 'InProgress' || s.status === 'Escalated');
}

export function isStageOpen(stage: Stage): boolean {
  return stage.status === 'InProgress' || stage.status === 'Escalated';
}
