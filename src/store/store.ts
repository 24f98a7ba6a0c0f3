import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** A connection or an open transaction: repository functions accept either. */
export type Db = Kysely<Database>;

/** The one store interface; `sqlite-store.ts` and `postgres-store.ts` implement it. */
export interface Store {
  readonly dialect: Dialect;
  /** For reads outside a transaction: sees what has committed. Every write goes through `transaction`. */
  readonly db: Db;
  /** Runs `fn` in one transaction; everything it writes commits or none of it does. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** A write lost a race with another writer of the same row; the use case re-reads and re-decides. */
export class WriteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteConflictError';
  }
}
