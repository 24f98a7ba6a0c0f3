import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** Every version a policy has had, so an approval's recorded policy version can be read back. Frozen once released. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('policy_versions')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('policy_versions_pk', ['policy_id', 'version'])
    .execute();
}
