import type { AccessRequest, Family, RequestStatus, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { RequestRow } from './schema.js';
import { claimRows } from './claim-rows.js';
import { type Db, type Dialect, WriteConflictError } from './store.js';

export interface StoredRequest {
  readonly request: AccessRequest;
  /** Wire-specific fields a family keeps to echo back. */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly version: number;
}

function toStored(row: RequestRow): StoredRequest {
  return {
    request: {
      id: row.id,
      target: { family: row.family as Family, resourceId: row.resource_id, scope: row.scope },
      action: row.action as AccessRequest['action'],
      principalId: row.principal_id,
      createdBy: row.created_by,
      justification: row.justification,
      ticket: row.ticket ? JSON.parse(row.ticket) : null,
      schedule: JSON.parse(row.schedule),
      status: row.status as RequestStatus,
      approvalId: row.approval_id,
      policyId: row.policy_id,
      policyVersion: row.policy_version,
      createdAt: row.created_at,
      completedAt: row.completed_at,
    },
    extra: JSON.parse(row.extra),
    version: row.version,
  };
}

export async function insertRequest(db: Db, request: AccessRequest, extra: Record<string, unknown>): Promise<void> {
  await db.insertInto('requests').values({
    id: request.id,
    family: request.target.family,
    action: request.action,
    principal_id: request.principalId,
    created_by: request.createdBy,
    resource_id: request.target.resourceId,
    scope: request.target.scope,
    justification: request.justification,
    ticket: request.ticket ? JSON.stringify(request.ticket) : null,
    schedule: JSON.stringify(request.schedule),
    start_at: request.schedule.startAt,
    end_at: request.schedule.endAt,
    status: request.status,
    approval_id: request.approvalId,
    policy_id: request.policyId,
    policy_version: request.policyVersion,
    created_at: request.createdAt,
    completed_at: request.completedAt,
    extra: JSON.stringify(extra),
    version: 1,
  }).execute();
}

export async function getRequest(db: Db, id: string): Promise<StoredRequest | null> {
  const row = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function getRequests(db: Db, ids: readonly string[]): Promise<Map<string, StoredRequest>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('requests').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, toStored(r)]));
}

/** Moves a request to a new status only if nobody changed it since it was read. */
export async function setRequestStatus(db: Db, stored: StoredRequest, status: RequestStatus, completedAt: Instant | null): Promise<StoredRequest> {
  const result = await db.updateTable('requests')
    .set({ status, completed_at: completedAt, version: stored.version + 1 })
    .where('id', '=', stored.request.id).where('version', '=', stored.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new WriteConflictError(`Request ${stored.request.id} changed concurrently.`);
  return { ...stored, request: { ...stored.request, status, completedAt }, version: stored.version + 1 };
}

export async function hasOpenRequest(db: Db, target: Target, principalId: string): Promise<boolean> {
  const row = await db.selectFrom('requests').select('id')
    .where('family', '=', target.family).where('resource_id', '=', target.resourceId).where('principal_id', '=', principalId)
    .where('scope', '=', target.scope).where('status', 'in', ['PendingApproval', 'Granted'])
    .executeTakeFirst();
  return row !== undefined;
}

export interface RequestQuery {
  readonly families: readonly Family[];
  readonly principalId?: string;
  readonly createdBy?: string;
  readonly action?: AccessRequest['action'];
  readonly ids?: readonly string[];
  readonly statuses?: readonly RequestStatus[];
  readonly limit: number;
  readonly after?: { createdAt: string; id: string } | null;
}

/** Newest first, keyset-paged. */
export async function listRequests(db: Db, query: RequestQuery): Promise<{ items: StoredRequest[]; next: { createdAt: string; id: string } | null }> {
  let q = db.selectFrom('requests').selectAll().where('family', 'in', query.families);
  if (query.principalId) q = q.where('principal_id', '=', query.principalId);
  if (query.createdBy) q = q.where('created_by', '=', query.createdBy);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.ids) q = q.where('id', 'in', query.ids.length ? query.ids : ['']);
  if (query.statuses) q = q.where('status', 'in', query.statuses.length ? query.statuses : ['']);
  if (query.after) {
    const { createdAt, id } = query.after;
    q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit).map(toStored);
  const last = page.at(-1);
  return { items: page, next: rows.length > query.limit && last ? { createdAt: last.request.createdAt, id: last.request.id } : null };
}

/** Claims one granted request whose schedule has started (it becomes a provisioned assignment), skipping `passed`. */
export async function claimDueStart(tx: Db, dialect: Dialect, now: Instant, passed: readonly string[]): Promise<{ id: string } | null> {
  let q = tx.selectFrom('requests').select('id').where('status', '=', 'Granted').where('start_at', '<=', now);
  if (passed.length > 0) q = q.where('id', 'not in', passed);
  return (await claimRows(q.limit(1), dialect).executeTakeFirst()) ?? null;
}
