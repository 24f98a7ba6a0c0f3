import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, sql } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import type { Db, Store } from './store.js';

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; preparing is a large share of a small query's cost in SQLite.
 * better-sqlite3 statements are reusable and the driver runs one query at a time, so statements
 * are kept by their SQL text (the text is parameterised, so the cache stays small).
 */
function withStatementCache(native: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => native.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (!statement) {
        statement = native.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
  } as SqliteDatabase;
}

/** The embedded store: one file, one writer, WAL so readers never wait for it. */
export async function openSqliteStore(file: string): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const native = new BetterSqlite3(file);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  // SQLite's default 2 MiB page cache thrashes once audit and outbox rows grow; 16 MiB keeps the
  // hot index pages resident (the OS file cache holds the rest, outside the process). No memory-mapped I/O: mapped pages count against the process's memory
  // and grow with history, where the page cache stays bounded.
  native.pragma('cache_size = -16384');
  native.pragma('temp_store = memory');
  const slowMs = Number(process.env.SIGNOFF_SLOW_QUERY_MS ?? 0);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(native) }),
    // Operators chasing latency set SIGNOFF_SLOW_QUERY_MS to see which statements exceed it.
    ...(slowMs > 0 ? { log: (event) => { if (event.queryDurationMillis >= slowMs) process.stderr.write(`slow query ${event.queryDurationMillis.toFixed(2)} ms: ${event.query.sql}\n`); } } : {}),
  });
  await migrateToLatest(db, 'sqlite');
  return {
    dialect: 'sqlite',
    db,
    transaction: <T>(fn: (tx: Db) => Promise<T>) => db.transaction().execute((tx) => fn(tx)),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
