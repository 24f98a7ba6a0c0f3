import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store.js';

/** Webhook subscriptions, one delivery per outbox event and subscription, and the fan-out cursor. Frozen once released. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  // Outbox seqs are bigserial on PostgreSQL.
  const seqType = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema.createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_subscriptions_active').on('webhook_subscriptions').columns(['active', 'created_at']).execute();

  await db.schema.createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('outbox_seq', seqType as 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .execute();
  // The fan-out may be retried after a crash; the store refuses a second delivery of one event to one subscription.
  await db.schema.createIndex('webhook_deliveries_once').on('webhook_deliveries').columns(['subscription_id', 'event_id']).unique().execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_by_subscription').on('webhook_deliveries').columns(['subscription_id', 'outbox_seq']).execute();

  await db.schema.createTable('webhook_attempts')
    .addColumn('seq', serial as 'integer', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_by_delivery').on('webhook_attempts').columns(['delivery_id', 'attempt']).execute();

  // One row per consumer of the outbox: the highest outbox seq already fanned out.
  await db.schema.createTable('outbox_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', seqType as 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into outbox_cursors (name, last_seq) values ('webhooks', 0)`.execute(db);

  // The audit query API filters by actor, target and action and pages by seq.
  await db.schema.createIndex('audit_by_actor').on('audit_events').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_by_target').on('audit_events').columns(['target_id', 'seq']).execute();
  await db.schema.createIndex('audit_by_action').on('audit_events').columns(['action', 'seq']).execute();
}
