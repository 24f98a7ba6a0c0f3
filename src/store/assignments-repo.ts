import type { Family, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { AssignmentRow } from './schema.js';
import { claimRows } from './claim-rows.js';
import { type Db, type Dialect, WriteConflictError } from './store.js';

export type Assignment = AssignmentRow;

export async function insertAssignment(db: Db, row: AssignmentRow): Promise<void> {
  await db.insertInto('assignments').values(row).execute();
}

export async function activeAssignmentFor(db: Db, target: Target, principalId: string, now: Instant): Promise<AssignmentRow | undefined> {
  return db.selectFrom('assignments').selectAll()
    .where('principal_id', '=', principalId).where('family', '=', target.family).where('resource_id', '=', target.resourceId)
    .where('scope', '=', target.scope).where('status', '=', 'Active').where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
    .executeTakeFirst();
}

export interface AssignmentQuery {
  readonly family: Family;
  readonly principalId?: string;
  readonly resourceId?: string;
  readonly activeAt: Instant;
  readonly limit: number;
}

export async function listActiveAssignments(db: Db, query: AssignmentQuery): Promise<AssignmentRow[]> {
  let q = db.selectFrom('assignments').selectAll().where('family', '=', query.family).where('status', '=', 'Active')
    .where('start_at', '<=', query.activeAt)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', query.activeAt)]));
  if (query.principalId) q = q.where('principal_id', '=', query.principalId);
  if (query.resourceId) q = q.where('resource_id', '=', query.resourceId);
  return q.orderBy('start_at').orderBy('id').limit(query.limit).execute();
}

/** Claims one active assignment whose schedule has ended, skipping `passed`. */
export async function claimDueEnd(tx: Db, dialect: Dialect, now: Instant, passed: readonly string[]): Promise<AssignmentRow | null> {
  let q = tx.selectFrom('assignments').selectAll().where('status', '=', 'Active').where('end_at', '<=', now);
  if (passed.length > 0) q = q.where('id', 'not in', passed);
  return (await claimRows(q.limit(1), dialect).executeTakeFirst()) ?? null;
}

/** Ends an assignment once; a second instance racing to end it gets a conflict and skips it. */
export async function endAssignment(db: Db, id: string, endedAt: Instant): Promise<void> {
  const result = await db.updateTable('assignments').set({ status: 'Ended', ended_at: endedAt })
    .where('id', '=', id).where('status', '=', 'Active').executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new WriteConflictError(`Assignment ${id} already ended.`);
}

/** When this principal's assignment of the target last ended, or null. */
export async function lastAssignmentEnd(db: Db, target: Target, principalId: string): Promise<Instant | null> {
  const row = await db.selectFrom('assignments').select('ended_at')
    .where('principal_id', '=', principalId).where('family', '=', target.family).where('resource_id', '=', target.resourceId)
    .where('scope', '=', target.scope).where('status', '=', 'Ended')
    .orderBy('ended_at', 'desc').executeTakeFirst();
  return row?.ended_at ?? null;
}
