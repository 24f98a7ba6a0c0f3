import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store.js';

/**
 * PostgreSQL: one call that waits for the audit chain's lock and then reads the newest event's
 * hash. A plain statement could not do both: its snapshot is taken before it waits, so it would
 * miss the event the previous holder committed. A volatile PL/pgSQL function takes a fresh snapshot
 * for each statement inside it. The lock is the same advisory lock as before, so instances of the
 * previous release, appending as they did, still take turns with this one during a rolling upgrade.
 * SQLite has one writer and needs neither.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`
    create function signoff_audit_chain_tip() returns text language plpgsql volatile as $$
    begin
      perform pg_advisory_xact_lock(7304110);
      return coalesce((select hash from audit_events order by seq desc limit 1), repeat('0', 64));
    end
    $$`.execute(db);
}
