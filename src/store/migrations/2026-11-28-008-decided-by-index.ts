import type { Kysely } from 'kysely';
import type { Dialect } from '../store.js';

/** "What have I decided?" reads stages by reviewer, newest first. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('stages_by_reviewer').on('approval_stages').columns(['reviewed_by', 'reviewed_at']).execute();
}
