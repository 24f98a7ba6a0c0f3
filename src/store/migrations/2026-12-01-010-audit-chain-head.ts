import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * The audit chain's head in a row of its own: a writer locks that one row (FOR UPDATE) and reads
 * the hash to link to in the same statement, instead of taking a lock and then searching the
 * log's tail. Seeded with the hash of the newest event, so existing chains carry on.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  const last = await db.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  await db.insertInto('audit_chain_head').values({ id: 1, hash: last?.hash ?? '0'.repeat(64) }).execute();
}
