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
 * The hash the next audit event links to. On PostgreSQL this also takes the chain's lock, held
 * until the transaction ends, so appends from every instance take turns (see the migration that
 * creates signoff_audit_chain_tip: one round trip both waits and reads). SQLite has one writer.
 */
async function chainTip(tx: Db, dialect: Dialect): Promise<string> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ hash: string }>`select signoff_audit_chain_tip() as hash`.execute(tx);
    return rows[0]!.hash;
  }
  const last = await tx.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last?.hash ?? GENESIS_HASH;
}

function auditRows(audit: readonly AuditRecord[], prevHash: string) {
  let prev = prevHash;
  return audit.map((r) => {
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
}

function outboxRows(outbox: readonly OutboxRecord[]) {
  return outbox.map((o) => ({
    id: o.id, event_type: o.eventType, occurred_at: o.occurredAt, request_id: o.requestId, payload: JSON.stringify(o.payload), dispatched_at: null,
  }));
}

/** Rows that fit one statement with room to spare on either store. */
const ROWS_PER_STATEMENT = 50;

/**
 * Appends audit events and outbox rows inside the caller's transaction, so they commit with the
 * state change or not at all. Appends take turns on the chain's lock, which also makes outbox
 * sequence numbers commit in order (an outbox row is never appended without it), so the fan-out
 * cursor never skips a late commit. On PostgreSQL the lock is held until commit, so the few rows of
 * a decision go in one statement: each round trip under the lock is time every other writer waits.
 */
export async function appendEvents(db: Db, dialect: Dialect, audit: readonly AuditRecord[], outbox: readonly OutboxRecord[]): Promise<void> {
  if (audit.length === 0 && outbox.length === 0) return;
  const audited = auditRows(audit, await chainTip(db, dialect));
  const queued = outboxRows(outbox);
  if (dialect === 'postgres' && audited.length > 0 && queued.length > 0 && audited.length + queued.length <= ROWS_PER_STATEMENT) {
    await db.with('audited', (qc) => qc.insertInto('audit_events').values(audited)).insertInto('outbox').values(queued).execute();
    return;
  }
  for (const chunk of chunks(audited)) await db.insertInto('audit_events').values(chunk).execute();
  for (const chunk of chunks(queued)) await db.insertInto('outbox').values(chunk).execute();
}
