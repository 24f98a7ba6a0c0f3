import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Instant } from '../domain/time.js';
import type { Db, Dialect } from './store.js';

export interface AuditRecord {
  readonly id: string;
  readonly occurredAt: Instant;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly clientIp: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

export interface OutboxRecord {
  readonly id: string;
  readonly eventType: string;
  readonly occurredAt: Instant;
  readonly requestId: string | null;
  readonly payload: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash that links an audit event to the one before it; `audit verify` recomputes it. */
export function auditHash(prevHash: string, r: AuditRecord): string {
  const canonical = JSON.stringify([prevHash, r.id, r.occurredAt, r.actorId, r.action, r.targetType, r.targetId, r.requestId, r.correlationId, r.clientIp, r.before ?? null, r.after ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Multi-row inserts stay under both stores' limits on bound parameters (SQLite 32,766; PostgreSQL 65,535). */
const ROWS_PER_INSERT = 1000;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(rows.slice(i, i + ROWS_PER_INSERT));
  return out;
}

/**
 * Appends audit events and outbox rows inside the caller's transaction, so they commit with the
 * state change or not at all. PostgreSQL serialises chain appends with a transaction lock.
 */
export async function appendEvents(db: Db, dialect: Dialect, audit: readonly AuditRecord[], outbox: readonly OutboxRecord[]): Promise<void> {
  if (audit.length > 0) {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7304110)`.execute(db);
    const last = await db.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    let prev = last?.hash ?? GENESIS_HASH;
    const rows = audit.map((r) => {
      const hash = auditHash(prev, r);
      const row = {
        id: r.id, occurred_at: r.occurredAt, actor_id: r.actorId, action: r.action, target_type: r.targetType, target_id: r.targetId,
        request_id: r.requestId, correlation_id: r.correlationId, client_ip: r.clientIp,
        before: r.before === undefined ? null : JSON.stringify(r.before), after: r.after === undefined ? null : JSON.stringify(r.after),
        prev_hash: prev, hash,
      };
      prev = hash;
      return row;
    });
    for (const chunk of chunks(rows)) await db.insertInto('audit_events').values(chunk).execute();
  }
  if (outbox.length > 0) {
    const rows = outbox.map((o) => ({
      id: o.id, event_type: o.eventType, occurred_at: o.occurredAt, request_id: o.requestId, payload: JSON.stringify(o.payload), dispatched_at: null,
    }));
    for (const chunk of chunks(rows)) await db.insertInto('outbox').values(chunk).execute();
  }
}
