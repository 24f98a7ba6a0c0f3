import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * Eligibility changes as Graph's eligibility schedule requests, the request behind each eligibility,
 * and break-glass settings per policy. Frozen once released.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('eligibility_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('schedule', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('eligibility_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('eligibility_requests_by_family').on('eligibility_requests').columns(['family', 'created_at', 'id']).execute();
  await db.schema.createIndex('eligibility_requests_by_principal').on('eligibility_requests').columns(['principal_id', 'family']).execute();

  await db.schema.alterTable('eligibilities').addColumn('request_id', 'text').execute();

  await db.schema.createTable('break_glass_settings')
    .addColumn('policy_id', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}
