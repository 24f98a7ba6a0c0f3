import type { Instant } from '../domain/time.js';
import { sql } from 'kysely';
import { claimRows } from './claim-rows.js';
import { type Db, type Dialect, WriteConflictError } from './store.js';

/**
 * Approvals whose open stage is past its timeout, oldest first (PostgreSQL: locked, skipping held
 * rows). One status at a time, so each is a range scan of the (status, expire_at) index in order
 * rather than a sort of everything that is due.
 */
export async function claimExpiredApprovals(tx: Db, dialect: Dialect, now: Instant, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for (const status of ['InProgress', 'Escalated'] as const) {
    if (ids.length >= limit) break;
    const q = tx.selectFrom('approval_stages').select('approval_id')
      .where('status', '=', status).where('expire_at', '<=', now)
      .orderBy('expire_at').limit(limit - ids.length);
    ids.push(...(await claimRows(q, dialect).execute()).map((r) => r.approval_id));
  }
  return ids;
}

function expectCount(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined, expected: number, what: string): void {
  const n = Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0);
  if (n !== expected) throw new WriteConflictError(`${what}: expected ${expected} rows, changed ${n}.`);
}

/**
 * The state guard as an expression no index can serve. Planners without fresh statistics take an
 * equality on an indexed status column for the most selective condition and scan every row in that
 * status (all pending requests, per batch) instead of looking up the batch's ids by primary key.
 */
const statusGuard = sql<string>`${sql.ref('status')} || ''`;

/**
 * Expires a batch with set-based statements, each guarded by the state the batch was read in; any
 * row that moved meanwhile makes the counts differ and the whole batch rolls back.
 */
export async function expireBatch(tx: Db, args: { stageIds: readonly string[]; requestIds: readonly string[]; now: Instant }): Promise<void> {
  if (args.stageIds.length === 0) return;
  expectCount(await tx.updateTable('approval_stages')
    .set((eb) => ({ status: 'Expired', version: eb('version', '+', 1) }))
    .where('id', 'in', args.stageIds).where(statusGuard, 'in', ['InProgress', 'Escalated'])
    .executeTakeFirst(), args.stageIds.length, 'expired stages');
  expectCount(await tx.updateTable('requests')
    .set((eb) => ({ status: 'Denied', completed_at: args.now, version: eb('version', '+', 1) }))
    .where('id', 'in', args.requestIds).where(statusGuard, '=', 'PendingApproval')
    .executeTakeFirst(), args.requestIds.length, 'denied requests');
  await tx.deleteFrom('approver_inbox').where('stage_id', 'in', args.stageIds).execute();
}
