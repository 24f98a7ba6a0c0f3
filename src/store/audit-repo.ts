import type { Selectable } from 'kysely';
import type { Instant } from '../domain/time.js';
import { type AuditRecord, GENESIS_HASH, auditHash } from './events-repo.js';
import type { AuditRow } from './schema.js';
import type { Db } from './store.js';

/** An audit row as read back, with the family of the request it concerns (when it concerns one). */
export type StoredAuditEvent = Selectable<AuditRow> & { family: string | null };

export interface AuditFilter {
  readonly from: Instant | null;
  readonly to: Instant | null;
  /** A user id; null with `systemActor` for events no user caused. */
  readonly actorId: string | null;
  readonly systemActor: boolean;
  readonly targetId: string | null;
  readonly action: string | null;
  readonly requestId: string | null;
}

function baseQuery(db: Db) {
  return db.selectFrom('audit_events').leftJoin('requests', 'requests.id', 'audit_events.request_id').selectAll('audit_events').select('requests.family as family');
}

/** One page of matching events, newest first, after the keyset position `beforeSeq`. */
export async function queryAudit(db: Db, filter: AuditFilter, limit: number, beforeSeq: number | null): Promise<StoredAuditEvent[]> {
  let q = baseQuery(db);
  if (filter.from) q = q.where('audit_events.occurred_at', '>=', filter.from);
  if (filter.to) q = q.where('audit_events.occurred_at', '<=', filter.to);
  if (filter.systemActor) q = q.where('audit_events.actor_id', 'is', null);
  else if (filter.actorId) q = q.where('audit_events.actor_id', '=', filter.actorId);
  if (filter.targetId) q = q.where('audit_events.target_id', '=', filter.targetId);
  if (filter.action) q = q.where('audit_events.action', '=', filter.action);
  if (filter.requestId) q = q.where('audit_events.request_id', '=', filter.requestId);
  if (beforeSeq !== null) q = q.where('audit_events.seq', '<', beforeSeq);
  return q.orderBy('audit_events.seq', 'desc').limit(limit).execute();
}

/** Events in chain order from `afterSeq`, for export and verification. */
export async function auditBatch(db: Db, afterSeq: number, since: Instant | null, limit: number): Promise<StoredAuditEvent[]> {
  let q = baseQuery(db).where('audit_events.seq', '>', afterSeq);
  if (since) q = q.where('audit_events.occurred_at', '>=', since);
  return q.orderBy('audit_events.seq').limit(limit).execute();
}

export function recordOf(row: Selectable<AuditRow>): AuditRecord {
  return {
    id: row.id, occurredAt: row.occurred_at, actorId: row.actor_id, action: row.action, targetType: row.target_type, targetId: row.target_id,
    requestId: row.request_id, correlationId: row.correlation_id, clientIp: row.client_ip,
    before: row.before === null ? null : JSON.parse(row.before), after: row.after === null ? null : JSON.parse(row.after),
  };
}

export interface BrokenLink {
  readonly sequence: number;
  readonly id: string;
  readonly reason: 'prevHashMismatch' | 'hashMismatch' | 'unreadable';
  readonly expected: string;
  readonly found: string;
}

export interface ChainCheck {
  readonly prevHash: string;
  readonly checked: number;
  readonly broken: BrokenLink | null;
}

export const CHAIN_START: ChainCheck = { prevHash: GENESIS_HASH, checked: 0, broken: null };

/** Extends a chain check by the next rows in order; stops at the first broken link. */
export function checkChain(state: ChainCheck, rows: readonly { seq: number; id: string; prevHash: string; hash: string; record: () => AuditRecord }[]): ChainCheck {
  let { prevHash, checked } = state;
  if (state.broken) return state;
  for (const row of rows) {
    const sequence = Number(row.seq);
    if (row.prevHash !== prevHash) return { prevHash, checked, broken: { sequence, id: row.id, reason: 'prevHashMismatch', expected: prevHash, found: row.prevHash } };
    let expected: string;
    try {
      expected = auditHash(prevHash, row.record());
    } catch {
      return { prevHash, checked, broken: { sequence, id: row.id, reason: 'unreadable', expected: '', found: row.hash } };
    }
    if (expected !== row.hash) return { prevHash, checked, broken: { sequence, id: row.id, reason: 'hashMismatch', expected, found: row.hash } };
    prevHash = row.hash;
    checked++;
  }
  return { prevHash, checked, broken: null };
}
