import type { Selectable } from 'kysely';
import type { Instant } from '../domain/time.js';
import type { OutboxRow, WebhookAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow } from './schema.js';
import type { Db, Dialect, Store } from './store.js';

/** An outbox row as read back. */
export type OutboxEvent = Selectable<OutboxRow>;
export type WebhookAttempt = Selectable<WebhookAttemptRow>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface NewSubscription {
  readonly id: string;
  readonly kind: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret: string;
  readonly description: string | null;
  readonly createdBy: string;
  readonly createdAt: Instant;
}

export async function insertSubscription(db: Db, s: NewSubscription): Promise<void> {
  await db.insertInto('webhook_subscriptions').values({
    id: s.id, kind: s.kind, url: s.url, event_types: JSON.stringify(s.eventTypes), secret: s.secret, description: s.description,
    created_by: s.createdBy, created_at: s.createdAt, active: 1, deleted_at: null,
  }).execute();
}

export async function getSubscription(db: Db, id: string): Promise<WebhookSubscriptionRow | undefined> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).where('active', '=', 1).executeTakeFirst();
}

export async function listSubscriptions(db: Db, limit: number, afterId: string | null): Promise<WebhookSubscriptionRow[]> {
  let q = db.selectFrom('webhook_subscriptions').selectAll().where('active', '=', 1);
  if (afterId) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

/** Deleting keeps the row (its deliveries still point at it) but stops all sending. */
export async function deactivateSubscription(db: Db, id: string, now: Instant): Promise<boolean> {
  const result = await db.updateTable('webhook_subscriptions').set({ active: 0, deleted_at: now }).where('id', '=', id).where('active', '=', 1).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function activeSubscriptionsById(db: Db, ids: readonly string[]): Promise<Map<string, WebhookSubscriptionRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('webhook_subscriptions').selectAll().where('id', 'in', [...ids]).where('active', '=', 1).execute();
  return new Map(rows.map((s) => [s.id, s]));
}

async function activeSubscriptions(db: Db): Promise<WebhookSubscriptionRow[]> {
  return db.selectFrom('webhook_subscriptions').selectAll().where('active', '=', 1).execute();
}

const CURSOR = 'webhooks';

/**
 * Puts back the fan-out cursor the migrations create when it is missing, where the outbox says
 * fan-out stopped (every event up to the cursor carries `dispatched_at`): without it no webhook
 * is ever sent again. Events fanned out twice are harmless, one delivery per subscription and event.
 */
export async function ensureOutboxCursor(tx: Db): Promise<void> {
  const done = await tx.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('seq')).where('dispatched_at', 'is not', null).executeTakeFirst();
  await tx.insertInto('outbox_cursors').values({ name: CURSOR, last_seq: Number(done?.seq ?? 0) })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
}

/** The fan-out cursor, locked until the transaction ends on PostgreSQL. */
async function lockCursor(tx: Db, dialect: Dialect): Promise<number> {
  const read = () => {
    const query = tx.selectFrom('outbox_cursors').select('last_seq').where('name', '=', CURSOR);
    return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  };
  let cursor = await read();
  if (!cursor) {
    await ensureOutboxCursor(tx);
    cursor = await read();
  }
  return Number(cursor!.last_seq);
}

/**
 * Turns the next outbox events into one delivery per interested subscription and moves the cursor
 * past them, in one transaction. The cursor row is locked (PostgreSQL) or the store has one writer
 * (SQLite), so each event is fanned out exactly once however many instances run this. Outbox seqs
 * commit in order because appends hold the audit chain lock, so the cursor never skips a late commit.
 */
export async function fanOutOutbox(store: Store, now: Instant, newId: () => string, wants: (s: WebhookSubscriptionRow, e: OutboxEvent) => boolean, batch: number): Promise<number> {
  return store.transaction(async (tx) => {
    const lastSeq = await lockCursor(tx, store.dialect);
    const events = await tx.selectFrom('outbox').selectAll().where('seq', '>', lastSeq).orderBy('seq').limit(batch).execute();
    if (events.length === 0) return 0;
    const subscriptions = await activeSubscriptions(tx);
    const rows = events.flatMap((e) => subscriptions.filter((s) => s.created_at <= e.occurred_at && wants(s, e)).map((s) => ({
      id: newId(), subscription_id: s.id, outbox_seq: Number(e.seq), event_id: e.id, event_type: e.event_type, request_id: e.request_id,
      status: 'pending', attempts: 0, next_attempt_at: now, last_attempt_at: null, last_status: null, last_error: null,
      created_at: now, updated_at: now, delivered_at: null,
    })));
    for (let i = 0; i < rows.length; i += 100) {
      await tx.insertInto('webhook_deliveries').values(rows.slice(i, i + 100)).onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing()).execute();
    }
    const newLastSeq = Number(events[events.length - 1]!.seq);
    await tx.updateTable('outbox').set({ dispatched_at: now }).where('seq', '>', lastSeq).where('seq', '<=', newLastSeq).execute();
    await tx.updateTable('outbox_cursors').set({ last_seq: newLastSeq }).where('name', '=', CURSOR).execute();
    return events.length;
  });
}

export interface DueDelivery {
  readonly delivery: WebhookDeliveryRow;
  readonly event: OutboxEvent;
}

/** Deliveries whose time has come, oldest event first, leaving out the subscriptions in `skip`. */
export async function dueDeliveries(db: Db, now: Instant, limit: number, skip: readonly string[] = []): Promise<DueDelivery[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now);
  if (skip.length > 0) q = q.where('subscription_id', 'not in', [...skip]);
  const deliveries = await q.orderBy('outbox_seq').orderBy('id').limit(limit).execute();
  if (deliveries.length === 0) return [];
  const events = await db.selectFrom('outbox').selectAll().where('id', 'in', [...new Set(deliveries.map((d) => d.event_id))]).execute();
  const byId = new Map(events.map((e) => [e.id, e]));
  return deliveries.flatMap((d) => {
    const event = byId.get(d.event_id);
    return event ? [{ delivery: d, event }] : [];
  });
}

/**
 * Takes a due delivery for this instance until `leaseUntil`; false when another instance took it.
 * A process that dies mid-attempt leaves the lease to run out, and the delivery is tried again.
 */
export async function claimDelivery(db: Db, d: WebhookDeliveryRow, leaseUntil: Instant): Promise<boolean> {
  const result = await db.updateTable('webhook_deliveries').set({ next_attempt_at: leaseUntil })
    .where('id', '=', d.id).where('status', '=', 'pending').where('next_attempt_at', '=', d.next_attempt_at).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface AttemptOutcome {
  readonly attemptedAt: Instant;
  readonly finishedAt: Instant;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly status: DeliveryStatus;
  readonly nextAttemptAt: Instant | null;
}

/** Records one attempt and the delivery's new state together. */
export async function recordAttempt(store: Store, d: WebhookDeliveryRow, outcome: AttemptOutcome): Promise<void> {
  await store.transaction(async (tx) => {
    const last = await tx.selectFrom('webhook_attempts').select((eb) => eb.fn.max('attempt').as('n')).where('delivery_id', '=', d.id).executeTakeFirst();
    await tx.insertInto('webhook_attempts').values({
      delivery_id: d.id, attempt: Number(last?.n ?? 0) + 1, attempted_at: outcome.attemptedAt, status_code: outcome.statusCode,
      error: outcome.error, duration_ms: outcome.durationMs,
    }).execute();
    await tx.updateTable('webhook_deliveries').set({
      status: outcome.status, attempts: d.attempts + 1, next_attempt_at: outcome.nextAttemptAt, last_attempt_at: outcome.attemptedAt,
      last_status: outcome.statusCode, last_error: outcome.error, updated_at: outcome.finishedAt,
      delivered_at: outcome.status === 'delivered' ? outcome.finishedAt : null,
    }).where('id', '=', d.id).execute();
  });
}

/** Stops a delivery whose subscription was deleted while it waited. */
export async function abandonDelivery(db: Db, id: string, now: Instant, reason: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ status: 'failed', next_attempt_at: null, last_error: reason, updated_at: now }).where('id', '=', id).execute();
}

export async function getDelivery(db: Db, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface DeliveryPage {
  readonly deliveries: WebhookDeliveryRow[];
  readonly attempts: ReadonlyMap<string, WebhookAttempt[]>;
}

/** A subscription's deliveries, newest event first, with each one's attempts. */
export async function listDeliveries(db: Db, subscriptionId: string, limit: number, before: { seq: number; id: string } | null): Promise<DeliveryPage> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId);
  if (before) q = q.where((eb) => eb.or([eb('outbox_seq', '<', before.seq), eb.and([eb('outbox_seq', '=', before.seq), eb('id', '<', before.id)])]));
  const deliveries = await q.orderBy('outbox_seq', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const attempts = new Map<string, WebhookAttempt[]>();
  if (deliveries.length > 0) {
    const rows = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveries.map((d) => d.id)).orderBy('attempt').execute();
    for (const r of rows) attempts.set(r.delivery_id, [...(attempts.get(r.delivery_id) ?? []), r]);
  }
  return { deliveries, attempts };
}

/** Queues a delivery again now, with a fresh retry schedule; its earlier attempts stay on record. */
export async function requeueDelivery(db: Db, id: string, now: Instant): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now, delivered_at: null }).where('id', '=', id).execute();
}
