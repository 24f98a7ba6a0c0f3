import { DomainError } from '../domain/errors.js';
import type { Family } from '../domain/request.js';
import { type ApprovalRelation, scopedApprovalPage } from '../store/scoped-approvals-repo.js';
import { type ApprovalView, decideStep, loadApproval, loadApprovalsInOrder } from './approvals.js';
import { type Caller, mayReadApproval } from './authorization.js';
import type { Actor, Services } from './services.js';

/**
 * Approvals addressed through a resource scope (ARM's `/{scope}/providers/...`). A request made at
 * a scope is visible at that scope and at every scope above it, as role assignments are in Azure:
 * an approval for a resource group shows at its subscription, never at a sibling resource group.
 * A null scope (the tenant) sees them all. Management groups hold only requests made at them,
 * since Signoff does not know which subscriptions a management group contains.
 */

function normalise(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, '');
}

/** The scope to filter on, or null for the tenant (no scope, or `/`). */
function scopeFilter(scope: string | null): string | null {
  if (scope === null) return null;
  const s = normalise(scope);
  return s === '' ? null : s;
}

export function isAtOrBelow(requestScope: string, scope: string | null): boolean {
  const filter = scopeFilter(scope);
  if (filter === null) return true;
  const own = normalise(requestScope);
  return own === filter || own.startsWith(`${filter}/`);
}

/** `asApprover()`, `asCreatedBy()`, `asTarget()`, or none: everything the caller may read. */
export type ApprovalListFilter = 'approver' | 'createdBy' | 'target' | null;

export interface ScopedListInput {
  readonly families: readonly Family[];
  readonly scope: string | null;
  readonly filter: ApprovalListFilter;
  readonly limit: number;
  readonly after: { createdAt: string; id: string } | null;
}

function relationFor(caller: Caller, filter: ApprovalListFilter): ApprovalRelation {
  if (filter !== null) return { kind: filter, userId: caller.userId };
  return caller.isAdmin ? { kind: 'all' } : { kind: 'readable', userId: caller.userId };
}

export async function listApprovalsAtScope(services: Services, caller: Caller, input: ScopedListInput): Promise<{ items: ApprovalView[]; next: ScopedListInput['after'] }> {
  const db = services.store.db;
  const page = await scopedApprovalPage(db, {
    families: input.families, scopeAtOrBelow: scopeFilter(input.scope), relation: relationFor(caller, input.filter), limit: input.limit, after: input.after,
  });
  return { items: await loadApprovalsInOrder(db, page.approvalIds), next: page.next };
}

/** Outside the addressed scope an approval does not exist, so its existence is not revealed either. */
async function loadAtScope(services: Services, approvalId: string, families: readonly Family[], scope: string | null): Promise<ApprovalView> {
  const view = await loadApproval(services.store.db, approvalId, families);
  if (!isAtOrBelow(view.request.request.target.scope, scope)) {
    throw new DomainError('APPROVAL_NOT_FOUND', `Approval '${approvalId}' was not found at this scope.`);
  }
  return view;
}

export async function getApprovalAtScope(services: Services, caller: Caller, approvalId: string, families: readonly Family[], scope: string | null): Promise<ApprovalView> {
  const view = await loadAtScope(services, approvalId, families, scope);
  if (!mayReadApproval(caller, view.approval)) {
    throw new DomainError('ACCESS_DENIED', 'The caller is neither the requestor nor an approver of this approval.');
  }
  return view;
}

/** A request's scope never changes, so checking it before the decision's own transaction is safe. */
export async function decideStepAtScope(
  services: Services,
  actor: Actor & { userId: string },
  input: { approvalId: string; stageId: string; families: readonly Family[]; scope: string | null; decision: string; justification: string | null | undefined },
): Promise<ApprovalView> {
  await loadAtScope(services, input.approvalId, input.families, input.scope);
  return decideStep(services, actor, input);
}
