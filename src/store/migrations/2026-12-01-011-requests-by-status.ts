import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * "What is pending?" lists a family's requests in one status, newest first: `$filter=status eq
 * 'PendingApproval'` on a request collection reads this index in order instead of the whole
 * family's history.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('requests_by_family_status').on('requests').columns(['family', 'status', 'created_at', 'id']).execute();
}
