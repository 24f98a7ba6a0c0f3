import { sql } from 'kysely';
import type { Target } from '../domain/request.js';
import type { Db, Dialect } from './store.js';

/**
 * Takes, until the transaction ends, the lock on one principal's access to one target. Whether a
 * principal already holds a target is read first and written after; two instances doing that at
 * once both read "no assignment" and both grant. The open-request index cannot stop it: a request
 * that is granted and provisioned in one transaction leaves that index when it commits. The
 * two-key form is its own key space, apart from the audit chain's single-key lock. SQLite has one
 * writer and needs none.
 */
export async function lockAccess(tx: Db, dialect: Dialect, target: Target, principalId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  const targetKey = `${target.family}|${target.resourceId}|${target.scope}`;
  await sql`select pg_advisory_xact_lock(hashtext(${targetKey}), hashtext(${principalId}))`.execute(tx);
}
