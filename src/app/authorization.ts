import type { Approval } from '../domain/approval.js';
import type { AccessRequest } from '../domain/request.js';

export interface Caller {
  readonly userId: string;
  readonly isAdmin: boolean;
}

/** Who may read an approval: its requestor, anyone ever asked to decide it, and administrators. */
export function mayReadApproval(caller: Caller, approval: Approval): boolean {
  if (caller.isAdmin || caller.userId === approval.requestorId) return true;
  return approval.stages.some((s) => s.approverIds.includes(caller.userId) || s.escalationApproverIds.includes(caller.userId) || s.reviewedBy === caller.userId);
}

export function mayReadRequest(caller: Caller, request: AccessRequest, approval: Approval | null): boolean {
  if (caller.isAdmin || caller.userId === request.principalId || caller.userId === request.createdBy) return true;
  return approval !== null && mayReadApproval(caller, approval);
}
