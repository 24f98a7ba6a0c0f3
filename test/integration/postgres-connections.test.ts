import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../../src/http/api-error.js';
import { type TestServer, startTestServer } from '../support/test-server.js';

const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
if (!PG_URL) console.warn('postgres-connections: SIGNOFF_TEST_PG_URL is not set; the PostgreSQL connection tests are skipped.');

describe.skipIf(!PG_URL)('PostgreSQL connections that drop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: 'postgres' });
  });
  afterAll(async () => server?.destroy());

  it('fails a transaction whose connection dies between two queries as retryable, and serves the next', async () => {
    const { store } = server.running.services;
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
