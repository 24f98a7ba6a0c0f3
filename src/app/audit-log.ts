import { findUser, getUsers, type User } from '../directory/directory-repo.js';
import { DomainError } from '../domain/errors.js';
import { type Instant, isValidInstant } from '../domain/time.js';
import { type AuditFilter, type BrokenLink, CHAIN_START, type StoredAuditEvent, auditBatch, checkChain, queryAudit, recordOf } from '../store/audit-repo.js';
import type { Caller } from './authorization.js';
import type { Services } from './services.js';

export interface AuditQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** A user id or userPrincipalName, or `system` for what Signoff did by itself (timers). */
  readonly actor?: string | undefined;
  readonly target?: string | undefined;
  readonly action?: string | undefined;
  readonly requestId?: string | undefined;
}

export interface AuditPage {
  readonly events: StoredAuditEvent[];
  /** The users who initiated the events, for their names. */
  readonly users: ReadonlyMap<string, User>;
  readonly nextBeforeSeq: number | null;
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only Signoff administrators may read the audit log.');
}

function instantOrNull(value: string | undefined, name: string): Instant | null {
  if (value === undefined) return null;
  if (!isValidInstant(value)) throw new DomainError('INVALID_REQUEST', `'${name}' must be an ISO 8601 instant such as 2026-11-28T10:00:00Z, not '${value}'.`);
  return new Date(value).toISOString();
}

async function toFilter(services: Services, query: AuditQuery): Promise<AuditFilter> {
  let actorId: string | null = null;
  const systemActor = query.actor?.toLowerCase() === 'system';
  if (query.actor && !systemActor) actorId = (await findUser(services.store.db, query.actor))?.id ?? query.actor;
  return {
    from: instantOrNull(query.from, 'from'), to: instantOrNull(query.to, 'to'), actorId, systemActor,
    targetId: query.target ?? null, action: query.action ?? null, requestId: query.requestId ?? null,
  };
}

async function withUsers(services: Services, events: StoredAuditEvent[]): Promise<ReadonlyMap<string, User>> {
  return getUsers(services.store.db, events.map((e) => e.actor_id).filter((id): id is string => id !== null));
}

/** Audit events matching every given filter, newest first; page on with `nextBeforeSeq`. */
export async function queryAuditLog(services: Services, caller: Caller, query: AuditQuery, limit: number, beforeSeq: number | null): Promise<AuditPage> {
  requireAdmin(caller);
  const events = await queryAudit(services.store.db, await toFilter(services, query), limit + 1, beforeSeq);
  const page = events.slice(0, limit);
  return { events: page, users: await withUsers(services, page), nextBeforeSeq: events.length > limit ? Number(page[page.length - 1]!.seq) : null };
}

const EXPORT_BATCH = 500;

/** Every audit event since an instant, in chain order, read in batches so an export of any size streams. */
export async function* exportAuditLog(services: Services, caller: Caller, since: string | undefined): AsyncGenerator<{ event: StoredAuditEvent; users: ReadonlyMap<string, User> }> {
  requireAdmin(caller);
  const from = instantOrNull(since, 'since');
  for (let after = 0; ;) {
    const batch = await auditBatch(services.store.db, after, from, EXPORT_BATCH);
    if (batch.length === 0) return;
    const users = await withUsers(services, batch);
    for (const event of batch) yield { event, users };
    after = Number(batch[batch.length - 1]!.seq);
  }
}

export interface ChainReport {
  readonly valid: boolean;
  readonly checked: number;
  readonly lastHash: string;
  readonly firstBrokenLink: BrokenLink | null;
}

/** Recomputes the whole hash chain from the first event and reports the first link that does not hold. */
export async function verifyAuditLog(services: Services, caller: Caller): Promise<ChainReport> {
  requireAdmin(caller);
  let state = CHAIN_START;
  for (let after = 0; ;) {
    const batch = await auditBatch(services.store.db, after, null, EXPORT_BATCH);
    if (batch.length === 0) break;
    state = checkChain(state, batch.map((row) => ({ seq: Number(row.seq), id: row.id, prevHash: row.prev_hash, hash: row.hash, record: () => recordOf(row) })));
    if (state.broken) break;
    after = Number(batch[batch.length - 1]!.seq);
  }
  return { valid: state.broken === null, checked: state.checked, lastHash: state.prevHash, firstBrokenLink: state.broken };
}
