import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Statements this long or with this many parameters are one-off shapes (bulk inserts, long IN lists): not worth a slot. */
const MAX_TEXT = 4000;
const MAX_PARAMETERS = 64;
/** Prepared statements live as long as their connection, on the server: a bounded number per connection. */
const MAX_PER_CONNECTION = 300;

/** Only queries and row changes: PostgreSQL prepares nothing else, and DDL runs once anyway. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** feature_not_supported: "cached plan must not change result type", after another instance migrated a table. */
const PLAN_INVALIDATED = '0A000';

const names = new Map<string, string>();

/** Whether `error` is a prepared statement's plan outliving a change to its table. */
export function isPlanInvalidated(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return e?.code === PLAN_INVALIDATED && /cached plan must not change result type/.test(e.message ?? '');
}

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < MAX_PER_CONNECTION * 4) names.set(text, name);
  }
  return name;
}

/**
 * Runs the small, repeated statements of the request path as named prepared statements. PostgreSQL
 * otherwise parses and plans every statement anew, and a decision is a dozen small statements:
 * on a busy server that planning is a large share of the database's CPU. Kysely sends SQL text and
 * parameters; this gives each distinct text a stable name on the connection that first sees it.
 */
export function prepareRepeatedStatements(client: pg.PoolClient): void {
  const prepared = new Set<string>();
  let invalidated = false;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (invalidated || typeof text !== 'string' || args.length !== 2 || !Array.isArray(values) || text.length > MAX_TEXT || values.length > MAX_PARAMETERS || !PREPARABLE.test(text)) return query(...args);
    const name = nameOf(text);
    if (!prepared.has(name)) {
      if (prepared.size >= MAX_PER_CONNECTION) return query(...args);
      prepared.add(name);
    }
    return (query({ name, text, values }) as Promise<unknown>).catch((error: { code?: string }) => {
      // The statement fails this once, as its transaction would; this connection then plans every
      // statement afresh until the pool retires it, so a schema change cannot fail it twice.
      if (isPlanInvalidated(error)) invalidated = true;
      throw error;
    });
  };
}
