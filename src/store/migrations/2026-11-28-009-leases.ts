import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** Named leases: work that one instance at a time must do (sending webhooks in order). */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();
}
