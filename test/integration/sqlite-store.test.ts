import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../src/store/schema.js';
import { startCheckpointer } from '../../src/store/sqlite/checkpointer.js';
import { groupCommit } from '../../src/store/sqlite/group-commit.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Db, Store } from '../../src/store/store.js';

const meta = (db: Db, key: string) => db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
const put = (db: Db, key: string, value = 'v') => db.insertInto('meta').values({ key, value }).execute();

describe('the embedded store: group commit, a reader that sees only what has committed', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signoff-sqlite-'));
    store = await openSqliteStore(join(dir, 'signoff.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent transactions together, and a failing one takes only its own writes with it', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.transaction(async (tx) => {
      await put(tx, `k${i}`);
      if (i % 5 === 0) throw new Error(`member ${i} fails`);
      return i;
    })));
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? 'rejected' : 'fulfilled')));
    for (let i = 0; i < 20; i++) expect({ i, stored: (await meta(store.db, `k${i}`)) !== undefined }).toEqual({ i, stored: i % 5 !== 0 });
  });

  it('tells a member refused because of an earlier member\'s write only once that write has committed', async () => {
    const first = store.transaction((tx) => put(tx, 'decided'));
    const second = store.transaction(async (tx) => {
      if (await meta(tx, 'decided')) throw new Error('already decided');
    });
    // Whoever hears the refusal and reads again must find the write that caused it.
    const seenOnRefusal = second.then(() => 'not refused', async () => (await meta(store.db, 'decided'))?.value ?? 'missing');
    await first;
    expect(await seenOnRefusal).toBe('v');
  });

  it('fails every member of a group whose transaction SQLite ended, and keeps none of their writes', async () => {
    const first = store.transaction((tx) => put(tx, 'a'));
    const second = store.transaction(async (tx) => {
      await put(tx, 'b');
      // As SQLite does on a full disk or an I/O error: the whole transaction is gone.
      await sql`rollback`.execute(tx);
    });
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status).toBe('rejected');
    expect(b.status).toBe('rejected');
    expect(await meta(store.db, 'a')).toBeUndefined();
    expect(await meta(store.db, 'b')).toBeUndefined();
    // The writer carries on afterwards.
    await store.transaction((tx) => put(tx, 'c'));
    expect(await meta(store.db, 'c')).toEqual({ value: 'v' });
  });

  it('reads without waiting for a transaction in progress, and never sees its rows before the commit', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => { wrote = resolve; });
    const writing = store.transaction(async (tx) => {
      await put(tx, 'pending');
      wrote();
      await held;
    });
    await written;
    expect(await meta(store.db, 'pending')).toBeUndefined();
    release();
    await writing;
    expect(await meta(store.db, 'pending')).toEqual({ value: 'v' });
  });

  it('refuses a write outside a transaction', async () => {
    await expect(put(store.db, 'stray')).rejects.toThrow(/readonly/);
    expect(await meta(store.db, 'stray')).toBeUndefined();
  });

  it('copies the write-ahead log back into the database from its own thread, with no commit doing it', async () => {
    const file = join(dir, 'signoff.db');
    const before = statSync(file).size;
    await store.transaction(async (tx) => {
      for (let i = 0; i < 500; i++) await put(tx, `r${i}`, 'x'.repeat(2000));
    });
    // Only a checkpoint writes pages into the database file; nothing here asks for one.
    const deadline = Date.now() + 5000;
    while (statSync(file).size < before + 500 * 2000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(file).size).toBeGreaterThanOrEqual(before + 500 * 2000);
  });

  it('keeps the write-ahead log bounded under writes that never pause', async () => {
    const wal = join(dir, 'signoff.db-wal');
    let largest = 0;
    // Eight writers without a pause between transactions, about 96 MiB in all: the checkpoint worker
    // alone never sees the log fully copied at the start of a transaction, so it could not rewind it.
    await Promise.all(Array.from({ length: 8 }, async (_, writer) => {
      for (let i = 0; i < 1500; i++) {
        await store.transaction((tx) => put(tx, `w${writer}-${i}`, 'x'.repeat(8000)));
        if (i % 100 === 0) largest = Math.max(largest, statSync(wal).size);
      }
    }));
    largest = Math.max(largest, statSync(wal).size);
    expect(largest).toBeLessThan(80 * 1024 * 1024);
  }, 60_000);

});

describe('group commit when the writer cannot begin', () => {
  it('fails the waiting transactions at once instead of retrying for ever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signoff-sqlite-'));
    const native = new BetterSqlite3(join(dir, 'signoff.db'));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: native }) });
    const transaction = groupCommit(db, native);
    // As after an I/O error that leaves the handle unusable: BEGIN itself fails.
    native.close();
    const outcomes = await Promise.allSettled([transaction((tx) => put(tx, 'a')), transaction((tx) => put(tx, 'b'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the SQLite checkpoint worker', () => {
  it('lets the store stop when the worker has already ended, and hands checkpoints back to the writer', async () => {
    const native = new BetterSqlite3(':memory:');
    // A file the worker cannot open: it ends at once.
    const checkpointer = startCheckpointer(native, '/nonexistent-signoff-dir/signoff.db');
    await expect.poll(() => native.pragma('wal_autocheckpoint', { simple: true }), { timeout: 5000 }).toBe(1000);
    const stopped = await Promise.race([checkpointer.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('hung'), 2000))]);
    expect(stopped).toBe('stopped');
    // Stopping twice is harmless.
    await checkpointer.stop();
    native.close();
  });
});
