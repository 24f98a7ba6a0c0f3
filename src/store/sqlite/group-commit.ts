import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { Db } from '../store.js';

/** Enough to share one commit among every request a busy server has in flight, small enough to keep readers' wait short. */
const MAX_MEMBERS = 64;

interface Member {
  readonly fn: (tx: Db) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the embedded store. SQLite has one writer, so transactions run one after the
 * other anyway; those that arrive while one runs join it, each inside its own savepoint, and share
 * one COMMIT. A commit is most of a small transaction's cost (every dirty page goes to the WAL), so
 * sharing it is what lets the writer keep up under load. Each member is still all-or-nothing: a
 * failure rolls back to its savepoint and the others go on. No member hears its outcome before the
 * commit: if the commit fails, or SQLite rolls the whole transaction back (a full disk, an I/O
 * error), every member of the group fails with that error.
 */
export function groupCommit(db: Kysely<Database>, native: BetterSqlite3.Database): <T>(fn: (tx: Db) => Promise<T>) => Promise<T> {
  const queue: Member[] = [];
  let draining = false;

  /**
   * Runs queued members until the queue is empty or the group is full, then commits, and only then
   * settles them: a member refused because of what an earlier member wrote (a 409 for a step just
   * decided) must not hear so before that write has committed.
   */
  async function runGroup(conn: Db): Promise<void> {
    const settled: { member: Member; outcome: { value: unknown } | { error: unknown } }[] = [];
    let current: Member | null = null;
    try {
      await sql`begin`.execute(conn);
    } catch (error) {
      // Nothing can run while the writer cannot begin (a broken handle, no memory): fail everyone
      // waiting now rather than trying again at once for ever.
      for (const member of queue.splice(0)) member.reject(error);
      return;
    }
    try {
      for (;;) {
        // Requests whose bytes are already here reach their transaction within one turn of the
        // event loop; waiting that turn before committing lets them share the commit.
        if (queue.length === 0) await new Promise((resolve) => setImmediate(resolve));
        if (queue.length === 0 || settled.length >= MAX_MEMBERS) break;
        current = queue.shift()!;
        await sql`savepoint member`.execute(conn);
        try {
          settled.push({ member: current, outcome: { value: await current.fn(conn) } });
        } catch (error) {
          // SQLite ends the whole transaction on some errors; what the group wrote is gone with it.
          if (!native.inTransaction) throw error;
          await sql`rollback to member`.execute(conn);
          settled.push({ member: current, outcome: { error } });
        }
        current = null;
        await sql`release member`.execute(conn);
      }
      await sql`commit`.execute(conn);
    } catch (error) {
      if (native.inTransaction) await sql`rollback`.execute(conn).catch(() => {});
      current?.reject(error);
      for (const { member } of settled) member.reject(error);
      return;
    }
    for (const { member, outcome } of settled) {
      if ('value' in outcome) member.resolve(outcome.value);
      else member.reject(outcome.error);
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        await db.connection().execute(runGroup).catch((error: unknown) => {
          // No connection to be had (the store is closing): nobody queued can run.
          for (const member of queue.splice(0)) member.reject(error);
        });
      }
    } finally {
      draining = false;
    }
  }

  return <T>(fn: (tx: Db) => Promise<T>) => new Promise<T>((resolve, reject) => {
    queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
    if (!draining) void drain();
  });
}
