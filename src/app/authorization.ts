import type { Approval } from '../domain/approval.js';
import type { AccessRequest } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { Db } from '../store/store.js';

/** Directory roles whose holders administer Signoff: Global Administrator, Privileged Role Administrator. */
export const ADMIN_ROLE_IDS = ['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814'] as const;

export interface Caller {
  readonly userId: string;
  readonly isAdmin: boolean;
}

export async function isAdmin(db: Db, userId: string, now: Instant): Promise<boolean> {
  const row = await db.selectFrom('assignments').select('id')
    .where('principal_id', '=', userId).where('family', '=', 'directoryRole').where('resource_id', 'in', [...ADMIN_ROLE_IDS])
    .where('scope', '=', '/').where('status', '=', 'Active').where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
    .executeTakeFirst();
  return row !== undefined;
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
