import type { Kysely } from 'kysely';
import type { Db, Store } from './store.js';
import { ensureOutboxCursor } from './webhooks-repo.js';

type Row = Readonly<Record<string, unknown>>;

/** Every row of every state table at one instant, held in memory. */
export interface StoreImage {
  readonly tables: ReadonlyMap<string, readonly Row[]>;
}

/**
 * Rows that belong to the running instance rather than to the emulated tenant: the dev issuer's
 * signing key must survive a reset, or every token handed out before it would stop verifying.
 */
const INSTANCE_META_KEYS: readonly string[] = ['dev_signing_key'];

const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

// Both SQLite (32,766) and PostgreSQL (65,535) cap bound parameters per statement; stay well below.
const MAX_PARAMETERS = 10_000;

function isInstanceRow(table: string, row: Row): boolean {
  return table === 'meta' && INSTANCE_META_KEYS.includes(String(row.key));
}

/**
 * The tables an image covers: every table in the schema the migrations wrote to, so tables added by
 * later migrations are covered without a list to keep in step. The schema has no foreign keys, so
 * the order of deletes and inserts does not matter.
 */
export async function stateTables(db: Db): Promise<readonly string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const home = tables.find((t) => t.name === 'kysely_migration')?.schema;
  const names = tables
    .filter((t) => !t.isView && !MIGRATION_TABLES.has(t.name) && t.schema === home)
    .map((t) => t.name)
    .sort();
  // An empty list would make every restore a silent no-op.
  if (!names.includes('meta')) throw new Error('Cannot find the store\'s tables for a snapshot.');
  return names;
}

/** Reads an image in one transaction, repeatable read on PostgreSQL so it is a consistent cut. */
export async function captureImage(store: Store, tables: readonly string[]): Promise<StoreImage> {
  return store.db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    const any = tx as unknown as Kysely<any>;
    const entries: [string, Row[]][] = [];
    for (const table of tables) {
      const rows = (await any.selectFrom(table).selectAll().execute()) as Row[];
      entries.push([table, rows.filter((row) => !isInstanceRow(table, row))]);
    }
    return { tables: new Map(entries) };
  });
}

/** Deletes the state rows of `tables` inside `tx`, keeping the instance's own rows. */
async function clearTables(tx: Db, tables: readonly string[]): Promise<void> {
  const any = tx as unknown as Kysely<any>;
  for (const table of tables) {
    if (table === 'meta') await any.deleteFrom('meta').where('key', 'not in', INSTANCE_META_KEYS).execute();
    else await any.deleteFrom(table).execute();
  }
}

/**
 * Empties the state tables inside `tx` to what a freshly migrated store holds: the instance's own
 * rows stay, and the rows the migrations insert (the outbox's fan-out cursor) are put back as the
 * migrations made them. The cursor is not kept as it was: SQLite numbers an emptied outbox from 1
 * again, and a cursor left further on would skip those events.
 */
export async function clearToMigrated(tx: Db, tables: readonly string[]): Promise<void> {
  await clearTables(tx, tables);
  await ensureOutboxCursor(tx);
}

/**
 * Puts the store back to `image` in one transaction: delete every state row, re-insert the image's
 * rows with their original keys (sequence columns included, so audit and outbox order is kept;
 * new rows continue above them). A table created after the image was taken ends up empty.
 */
export async function restoreImage(store: Store, image: StoreImage, tables: readonly string[]): Promise<void> {
  await store.transaction(async (tx) => {
    await clearTables(tx, tables);
    const any = tx as unknown as Kysely<any>;
    for (const table of tables) {
      const rows = image.tables.get(table) ?? [];
      if (rows.length === 0) continue;
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0]!).length));
      for (let i = 0; i < rows.length; i += perStatement) {
        await any.insertInto(table).values(rows.slice(i, i + perStatement) as Record<string, unknown>[]).execute();
      }
    }
  });
}

/** Rows per table, for listings and benchmarks. */
export function imageSize(image: StoreImage): number {
  let n = 0;
  for (const rows of image.tables.values()) n += rows.length;
  return n;
}
