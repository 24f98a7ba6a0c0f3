import type { Family } from '../domain/request.js';
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
