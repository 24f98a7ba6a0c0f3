import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, sql } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { startCheckpointer } from './sqlite/checkpointer.js';
import { groupCommit } from './sqlite/group-commit.js';
import type { Store } from './store.js';

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

function connect(file: string): BetterSqlite3.Database {
  const native = new BetterSqlite3(file);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  // SQLite's default 2 MiB page cache thrashes once audit and outbox rows grow; 16 MiB keeps the
  // hot index pages resident (the OS file cache holds the rest, outside the process). No
  // memory-mapped I/O: mapped pages count against the process's memory and grow with history,
  // where the page cache stays bounded.
  native.pragma('cache_size = -16384');
  native.pragma('temp_store = memory');
  return native;
}

function kysely(native: BetterSqlite3.Database): Kysely<Database> {
  const slowMs = Number(process.env.SIGNOFF_SLOW_QUERY_MS ?? 0);
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(native) }),
    // Operators chasing latency set SIGNOFF_SLOW_QUERY_MS to see which statements exceed it.
    ...(slowMs > 0 ? { log: (event) => { if (event.queryDurationMillis >= slowMs) process.stderr.write(`slow query ${event.queryDurationMillis.toFixed(2)} ms: ${event.query.sql}\n`); } } : {}),
  });
}

/**
 * The embedded store: one file, WAL, and two connections. The writer runs every transaction (in
 * groups that share a commit); the reader serves every read outside one and sees what has
 * committed, so a read never waits for a transaction in progress, nor sees its uncommitted rows.
 * The reader is query-only: a write that forgets its transaction fails at once instead of racing
 * the writer for SQLite's lock.
 */
export async function openSqliteStore(file: string): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const writerNative = connect(file);
  const writer = kysely(writerNative);
  await migrateToLatest(writer, 'sqlite');
  // An in-memory database is private to its connection: there the writer reads too.
  const readerNative = file === ':memory:' ? null : connect(file);
  readerNative?.pragma('query_only = ON');
  const reader = readerNative ? kysely(readerNative) : writer;
  const checkpointer = file === ':memory:' ? null : startCheckpointer(writerNative, file);
  return {
    dialect: 'sqlite',
    db: reader,
    transaction: groupCommit(writer, writerNative),
    ping: async () => {
      await sql`select 1`.execute(reader);
    },
    close: async () => {
      await checkpointer?.stop();
      if (reader !== writer) await reader.destroy();
      await writer.destroy();
    },
  };
}
