import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { migrateToLatest } from './migrate.js';
import { isPlanInvalidated, prepareRepeatedStatements } from './postgres/prepared-statements.js';
import type { Database } from './schema.js';
import { type Db, type Store, StoreUnavailableError } from './store.js';

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly statementTimeoutMs?: number;
  /** Off behind a pooler that cannot keep named statements (PgBouncer in transaction mode). */
  readonly preparedStatements?: boolean;
}

/** Several Signoff instances share one PostgreSQL; every transaction runs at READ COMMITTED. */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  // The driver loads only for a PostgreSQL store, so the embedded default starts without it.
  const { default: driver } = await import('pg');
  // Sequence numbers are bigint in PostgreSQL; they stay well inside a double.
  driver.types.setTypeParser(20, (v) => Number(v));
  const pool = new driver.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    // A transaction left open (a stuck client) must not hold its row locks for ever.
    idle_in_transaction_session_timeout: (options.statementTimeoutMs ?? 15_000) * 2,
    // TCP keepalive notices a server that vanished without closing its connections.
    keepAlive: true,
    application_name: 'signoff',
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a client that loses it while checked out between two queries of a transaction: pg
  // emits that as an 'error' event, which without a listener ends the process. The client's next
  // query fails instead (a retryable 503), and the pool drops it on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    if (options.preparedStatements !== false) prepareRepeatedStatements(client);
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => {});
    const where = safeUrl(options.url);
    throw new StoreUnavailableError(`Cannot reach PostgreSQL at ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db, 'postgres');
  const store: Store & { readonly pool: pg.Pool } = {
    dialect: 'postgres',
    db,
    // Read by /metrics for pool usage.
    pool,
    // A statement prepared before another instance migrated its table fails once on each connection
    // (which then stops preparing); the transaction has rolled back, so it runs again.
    transaction: async <T>(fn: (tx: Db) => Promise<T>) => {
      try {
        return await db.transaction().execute((tx) => fn(tx));
      } catch (error) {
        if (!isPlanInvalidated(error)) throw error;
        return db.transaction().execute((tx) => fn(tx));
      }
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
  return store;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
