import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import type { Db, Store } from './store.js';

/** The embedded store: one file, one writer, WAL so readers never wait for it. */
export async function openSqliteStore(file: string): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const native = new BetterSqlite3(file);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: native }) });
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
