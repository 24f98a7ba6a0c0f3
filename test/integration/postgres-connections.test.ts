import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { toApiError } from '../../src/http/api-error.js';
import { useTestServer } from '../support/server-fixture.js';

const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
if (!PG_URL) console.warn('postgres-connections: SIGNOFF_TEST_PG_URL is not set; the PostgreSQL connection tests are skipped.');

describe.skipIf(!PG_URL)('PostgreSQL connections that drop', () => {
  const signoff = useTestServer({ store: 'postgres' });

  it('fails a transaction whose connection dies between two queries as retryable, and serves the next', async () => {
    const { store } = signoff.server.running.services;
    const outcome = await store.transaction(async (tx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      const pid = rows[0]!.pid;
      await sql`select pg_terminate_backend(${pid})`.execute(store.db);
      // The server closes the connection while this transaction sits between queries.
      for (let i = 0; i < 50; i++) {
        const alive = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where pid = ${pid}`.execute(store.db);
        if (alive.rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 50));
      await sql`select 1`.execute(tx);
    }).then(() => 'committed', (error: unknown) => toApiError(error).code);
    expect(outcome).toBe('STORE_UNAVAILABLE');
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.transaction((tx) => sql`select 1`.execute(tx))).resolves.toBeDefined();
  });
});

describe.skipIf(!PG_URL)('PostgreSQL prepared statements', () => {
  const signoff = useTestServer({ store: 'postgres' });

  const preparedOn = (db: Kysely<any>) => sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);

  it('prepares the small statements a connection repeats, and nothing of a bulk or DDL shape', async () => {
    const { store } = signoff.server.running.services;
    const names = await store.db.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) await conn.selectFrom('meta').select('value').where('key', '=', `k${i}`).execute();
      await sql`create temporary table scratch (n int)`.execute(conn);
      await conn.selectFrom('users').select('id').where('id', 'in', Array.from({ length: 200 }, (_, i) => `u${i}`)).execute();
      return (await preparedOn(conn)).rows;
    });
    const statements = names.map((n) => n.statement);
    // Three runs of one statement, one preparation.
    expect(statements.filter((s) => s === 'select "value" from "meta" where "key" = $1')).toHaveLength(1);
    expect(statements.some((s) => /create temporary/i.test(s))).toBe(false);
    expect(statements.some((s) => s.includes('$200'))).toBe(false);
  });

  it('fails a prepared statement once when another instance changes its table, then plans it afresh', async () => {
    const { store } = signoff.server.running.services;
    const outcomes = await store.db.connection().execute(async (conn) => {
      const read = () => sql`select * from break_glass_settings where policy_id = ${'none'}`.execute(conn).then(() => 'ok', (e: { code?: string }) => e.code);
      const first = await read();
      // As a rolling upgrade does: another connection adds a column.
      await sql`alter table break_glass_settings add column added_later text`.execute(store.db);
      return [first, await read(), await read()];
    });
    expect(outcomes).toEqual(['ok', '0A000', 'ok']);
  });

  it('runs a transaction again when a statement of it meets a plan another instance invalidated', async () => {
    const { store } = signoff.server.running.services;
    const read = (tx: Kysely<any>) => sql`select * from eligibility_requests where id = ${'none'}`.execute(tx);
    // Prepared on every connection a transaction may get, then invalidated by a schema change.
    await Promise.all(Array.from({ length: 10 }, () => store.transaction((tx) => read(tx as Kysely<any>))));
    await sql`alter table eligibility_requests add column added_later text`.execute(store.db);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.transaction((tx) => read(tx as Kysely<any>)).then(() => 'ok', (e: { code?: string }) => e.code)));
    expect(outcomes).toEqual(outcomes.map(() => 'ok'));
  });
});

describe.skipIf(!PG_URL)('PostgreSQL without prepared statements', () => {
  const signoff = useTestServer({ store: 'postgres', env: { SIGNOFF_DB_PREPARED_STATEMENTS: 'off' } });

  it('prepares nothing, for poolers that cannot keep prepared statements', async () => {
    const { store } = signoff.server.running.services;
    const prepared = await store.db.connection().execute(async (conn) => {
      for (let i = 0; i < 3; i++) await conn.selectFrom('meta').select('value').where('key', '=', `k${i}`).execute();
      return (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(conn)).rows[0]!.n;
    });
    expect(prepared).toBe(0);
    expect((await signoff.api.get('/v1.0/me', 'alice')).status).toBe(200);
  });
});
