import type { EligibilityAction } from '../domain/eligibility.js';
import type { Family, Schedule, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { EligibilityRequestRow } from './schema.js';
import type { Db } from './store.js';

/** An administrator's eligibility change as it was asked and applied. */
export interface EligibilityRequest {
  readonly id: string;
  readonly action: EligibilityAction;
  readonly target: Target;
  readonly principalId: string;
  readonly createdBy: string | null;
  readonly justification: string | null;
  /** null for a removal. */
  readonly schedule: Schedule | null;
  readonly status: 'Provisioned' | 'Revoked';
  readonly eligibilityId: string | null;
  readonly createdAt: Instant;
  readonly completedAt: Instant | null;
}

function toRequest(row: EligibilityRequestRow): EligibilityRequest {
  return {
    id: row.id, action: row.action as EligibilityAction,
    target: { family: row.family as Family, resourceId: row.resource_id, scope: row.scope },
    principalId: row.principal_id, createdBy: row.created_by, justification: row.justification,
    schedule: row.schedule ? JSON.parse(row.schedule) : null, status: row.status as EligibilityRequest['status'],
    eligibilityId: row.eligibility_id, createdAt: row.created_at, completedAt: row.completed_at,
  };
}

export async function insertEligibilityRequest(db: Db, r: EligibilityRequest): Promise<void> {
  await db.insertInto('eligibility_requests').values({
    id: r.id, family: r.target.family, action: r.action, principal_id: r.principalId, created_by: r.createdBy,
    resource_id: r.target.resourceId, scope: r.target.scope, justification: r.justification,
    schedule: r.schedule ? JSON.stringify(r.schedule) : null, status: r.status, eligibility_id: r.eligibilityId,
    created_at: r.createdAt, completed_at: r.completedAt,
  }).execute();
}

export async function getEligibilityRequest(db: Db, id: string): Promise<EligibilityRequest | null> {
  const row = await db.selectFrom('eligibility_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRequest(row) : null;
}

export interface EligibilityRequestQuery {
  readonly family: Family;
  readonly principalId?: string;
  readonly limit: number;
  readonly after: { createdAt: string; id: string } | null;
}

/** Newest first, keyset-paged. */
export async function listEligibilityRequests(db: Db, query: EligibilityRequestQuery): Promise<{ items: EligibilityRequest[]; next: { createdAt: string; id: string } | null }> {
  let q = db.selectFrom('eligibility_requests').selectAll().where('family', '=', query.family);
  if (query.principalId) q = q.where('principal_id', '=', query.principalId);
  if (query.after) {
    const { createdAt, id } = query.after;
    q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit).map(toRequest);
  const last = items.at(-1);
  return { items, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
