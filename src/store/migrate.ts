import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-28-001-initial.js';
import * as webhooks from './migrations/2026-11-28-002-webhooks.js';
import * as policyHistory from './migrations/2026-11-28-003-policy-history.js';
import * as accessLifecycle from './migrations/2026-11-28-007-access-lifecycle.js';
import * as decidedByIndex from './migrations/2026-11-28-008-decided-by-index.js';
import * as leases from './migrations/2026-11-28-009-leases.js';
import * as auditChainTip from './migrations/2026-12-01-010-audit-chain-tip.js';
import * as requestsByStatus from './migrations/2026-12-01-011-requests-by-status.js';
import type { Dialect } from './store.js';

type MigrationModule = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Listed by hand so a compiled build needs no directory scan; names sort in the order they run. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '2026-11-28-001-initial': initial,
  '2026-11-28-002-webhooks': webhooks,
  '2026-11-28-003-policy-history': policyHistory,
  '2026-11-28-007-access-lifecycle': accessLifecycle,
  '2026-11-28-008-decided-by-index': decidedByIndex,
  '2026-11-28-009-leases': leases,
  '2026-12-01-010-audit-chain-tip': auditChainTip,
  '2026-12-01-011-requests-by-status': requestsByStatus,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<any>) => m.up(db, this.dialect) }]),
    );
  }
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Migrations applied to the database that this build does not know: the schema is newer than the code. */
async function unknownApplied(db: Kysely<any>): Promise<string[]> {
  // Kysely lists only the migrations it is given, so the applied ones are read from its own table
  // (absent on an empty database).
  const applied: { name: string }[] = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute().catch(() => []);
  return applied.map((m) => m.name).filter((name) => !(name in MIGRATIONS));
}

function newerSchema(unknown: readonly string[]): MigrationError {
  return new MigrationError(`The database schema is newer than this Signoff build (unknown migrations: ${unknown.join(', ')}). Upgrade Signoff.`);
}

/**
 * Brings the schema up to date. Kysely's migrator takes a lock table, so instances starting
 * together migrate once. A schema that has migrations this build does not know is refused.
 */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect) });
  const unknown = await unknownApplied(db);
  if (unknown.length > 0) throw newerSchema(unknown);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Readiness: every migration this build knows has run, and none it does not know. An instance of
 * an older release still running while a newer one migrated reports not ready, so a load balancer
 * drains it during a rolling upgrade.
 */
export async function assertMigrationsCurrent(db: Kysely<any>): Promise<void> {
  const unknown = await unknownApplied(db);
  if (unknown.length > 0) throw newerSchema(unknown);
  const migrator = new Migrator({ db, provider: new StaticProvider('sqlite') });
  const all = await migrator.getMigrations();
  const pending = all.filter((m) => !m.executedAt).map((m) => m.name);
  if (pending.length > 0) throw new MigrationError(`Migrations not applied: ${pending.join(', ')}.`);
}
