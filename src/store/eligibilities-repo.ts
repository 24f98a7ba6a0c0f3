import type { Family, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { EligibilityRow } from './schema.js';
import type { Db } from './store.js';

export interface EligibilityQuery {
  readonly family: Family;
  readonly principalId?: string;
  /** Only eligibilities in force at this instant. */
  readonly activeAt: Instant;
  readonly limit: number;
}

export async function listEligibilities(db: Db, query: EligibilityQuery): Promise<EligibilityRow[]> {
  let q = db.selectFrom('eligibilities').selectAll().where('family', '=', query.family)
    .where('start_at', '<=', query.activeAt)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', query.activeAt)]));
  if (query.principalId) q = q.where('principal_id', '=', query.principalId);
  return q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
}

function forTarget(db: Db, target: Target, principalId: string) {
  return db.selectFrom('eligibilities').selectAll()
    .where('principal_id', '=', principalId).where('family', '=', target.family)
    .where('resource_id', '=', target.resourceId).where('scope', '=', target.scope);
}

/** The eligibility in force or scheduled to start, for this principal and target. */
export async function currentEligibility(db: Db, target: Target, principalId: string, now: Instant): Promise<EligibilityRow | undefined> {
  return forTarget(db, target, principalId)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
    .orderBy('start_at').executeTakeFirst();
}

/** When this principal's eligibility for the target last ended, or null. */
export async function lastEligibilityEnd(db: Db, target: Target, principalId: string, now: Instant): Promise<Instant | null> {
  const row = await forTarget(db, target, principalId).where('end_at', '<=', now).orderBy('end_at', 'desc').executeTakeFirst();
  return row?.end_at ?? null;
}

export async function insertEligibility(db: Db, row: EligibilityRow): Promise<void> {
  await db.insertInto('eligibilities').values(row).execute();
}

export async function setEligibilitySchedule(db: Db, id: string, startAt: Instant, endAt: Instant | null): Promise<void> {
  await db.updateTable('eligibilities').set({ start_at: startAt, end_at: endAt }).where('id', '=', id).execute();
}

export interface ScheduleQuery {
  readonly family: Family;
  readonly principalId?: string;
  /** Schedules not yet ended at this instant, including those that start later. */
  readonly now: Instant;
  readonly limit: number;
}

export async function listEligibilitySchedules(db: Db, query: ScheduleQuery): Promise<EligibilityRow[]> {
  let q = db.selectFrom('eligibilities').selectAll().where('family', '=', query.family)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', query.now)]));
  if (query.principalId) q = q.where('principal_id', '=', query.principalId);
  return q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
}
