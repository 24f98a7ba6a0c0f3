import { createServer } from 'node:net';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { MigrationError } from '../../src/store/migrate.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { type TestServer, createTestDatabase, startTestServer } from '../support/test-server.js';

const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
if (!PG_URL) console.warn('postgres-startup: SIGNOFF_TEST_PG_URL is not set; the PostgreSQL startup tests are skipped.');

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('PostgreSQL settings', () => {
  it('refuses a pool size or statement timeout that is not a positive integer', () => {
    expect(() => loadConfig({ SIGNOFF_DB_POOL_SIZE: '0' })).toThrow(/SIGNOFF_DB_POOL_SIZE/);
    expect(() => loadConfig({ SIGNOFF_DB_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(/SIGNOFF_DB_STATEMENT_TIMEOUT_MS/);
    expect(loadConfig({ SIGNOFF_DB_POOL_SIZE: '4', SIGNOFF_DB_STATEMENT_TIMEOUT_MS: '2500' })).toMatchObject({ dbPoolSize: 4, dbStatementTimeoutMs: 2500 });
  });
});

describe.skipIf(!PG_URL)('starting on PostgreSQL', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.destroy();
  });

  it('names the unreachable database, without its password, and refuses to start', async () => {
    const port = await closedPort();
    const started = startTestServer({ databaseUrl: `postgres://signoff:s3cret-pw@127.0.0.1:${port}/signoff` });
    await expect(started).rejects.toBeInstanceOf(StoreUnavailableError);
    const message = await started.catch((e: Error) => e.message);
    expect(message).toContain(`127.0.0.1:${port}/signoff`);
    expect(message).not.toContain('s3cret-pw');
  });

  it('refuses a schema that is newer than this build, naming the unknown migration', async () => {
    const databaseUrl = await createTestDatabase();
    await (await startTestServer({ databaseUrl })).destroy();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`insert into kysely_migration (name, timestamp) values ('2099-01-01-999-from-the-future', $1)`, [new Date().toISOString()]);
    await client.end();
    const started = startTestServer({ databaseUrl });
    await expect(started).rejects.toBeInstanceOf(MigrationError);
    await expect(started).rejects.toThrow(/newer.*2099-01-01-999-from-the-future/);
  });

  it('applies the configured pool size and statement timeout', async () => {
    const server = await startTestServer({ store: 'postgres', env: { SIGNOFF_DB_POOL_SIZE: '3', SIGNOFF_DB_STATEMENT_TIMEOUT_MS: '300' } });
    servers.push(server);
    const { db } = server.running.services.store;
    const timeout = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db);
    expect(timeout.rows[0]!.statement_timeout).toBe('300ms');
    await expect(sql`select pg_sleep(2)`.execute(db)).rejects.toThrow(/statement timeout/);

    const dbName = new URL(server.databaseUrl!).pathname.slice(1);
    const sessions = () => sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = ${dbName}`.execute(db);
    const peak = await Promise.all(Array.from({ length: 8 }, () => sessions()));
    expect(Math.max(...peak.map((r) => r.rows[0]!.n))).toBeLessThanOrEqual(3);
  });
});
