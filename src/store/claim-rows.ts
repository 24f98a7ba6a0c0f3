import type { SelectQueryBuilder } from 'kysely';
import type { Dialect } from './store.js';

/**
 * Locks the rows a timer claims and skips rows another instance already holds, so instances share
 * due work instead of queueing on the same rows. SQLite has one writer and no such clause.
 */
export function claimRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: Dialect): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}
