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

/** The audit chain's head row, created where a reset or an older snapshot left none. */
export async function ensureChainHead(tx: Db): Promise<void> {
  const last = await tx.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  await tx.insertInto('audit_chain_head').values({ id: 1, hash: last?.hash ?? GENESIS_HASH }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

/**
 * The hash the next audit event links to. On PostgreSQL the head row stays locked until the
 * transaction ends: appends are serialised, and FOR UPDATE reads the row as the previous holder
 * committed it, so one statement both waits its turn and learns where the chain stands.
 */
async function lockChainHead(tx: Db, dialect: Dialect): Promise<string> {
  const read = () => {
    const query = tx.selectFrom('audit_chain_head').select('hash').where('id', '=', 1);
    return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  };
  let head = await read();
  if (!head) {
    await ensureChainHead(tx);
    head = await read();
  }
  return head!.hash;
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
 * state change or not at all. Appends are serialised on the chain head (see lockChainHead), which
 * also makes outbox sequence numbers commit in order: the fan-out cursor never skips a late commit.
 * On PostgreSQL the head is held until commit, so the few rows of a decision go in one statement:
 * each round trip under the lock is time every other writer waits.
 */
export async function appendEvents(db: Db, dialect: Dialect, audit: readonly AuditRecord[], outbox: readonly OutboxRecord[]): Promise<void> {
  if (audit.length === 0 && outbox.length === 0) return;
  const audited = audit.length > 0 ? auditRows(audit, await lockChainHead(db, dialect)) : [];
  const queued = outboxRows(outbox);
  const head = audited.at(-1)?.hash;
  if (dialect === 'postgres' && audited.length > 0 && queued.length > 0 && audited.length + queued.length <= ROWS_PER_STATEMENT) {
    await db.with('audited', (qc) => qc.insertInto('audit_events').values(audited))
      .with('moved', (qc) => qc.updateTable('audit_chain_head').set({ hash: head! }).where('id', '=', 1))
      .insertInto('outbox').values(queued).execute();
    return;
  }
  for (const chunk of chunks(audited)) await db.insertInto('audit_events').values(chunk).execute();
  if (head) await db.updateTable('audit_chain_head').set({ hash: head }).where('id', '=', 1).execute();
  for (const chunk of chunks(queued)) await db.insertInto('outbox').values(chunk).execute();
}
