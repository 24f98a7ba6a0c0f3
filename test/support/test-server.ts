import { mkdtempSync, rmSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DevClock } from '../../src/app/clock.js';
import { loadConfig } from '../../src/config.js';
import { type RunningSignoff, startSignoff } from '../../src/runtime.js';

export type StoreKind = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when SIGNOFF_TEST_PG_URL names a server the tests may create databases on. */
export function testStores(): StoreKind[] {
  return process.env.SIGNOFF_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh, empty PostgreSQL database for one test server. */
export async function createTestDatabase(): Promise<string> {
  const admin = process.env.SIGNOFF_TEST_PG_URL;
  if (!admin) throw new Error('SIGNOFF_TEST_PG_URL is not set');
  const name = `signoff_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestServerOptions {
  readonly store?: StoreKind;
  readonly https?: boolean;
  readonly demo?: boolean;
  /** Reuse a data dir / database (restart tests). */
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly env?: Record<string, string>;
  /** Capture request logs (at LOG_LEVEL info) instead of discarding them. */
  readonly logStream?: NodeJS.WritableStream;
  /** Resolves webhook receivers' host names in place of DNS. */
  readonly webhookLookup?: LookupFunction;
}

export interface TestServer {
  readonly url: string;
  readonly httpsUrl: string | null;
  readonly caFile: string | null;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly running: RunningSignoff;
  readonly clock: DevClock;
  close(): Promise<void>;
  /** Closes and deletes the data dir. */
  destroy(): Promise<void>;
}

/** A real Signoff listening on loopback ports picked by the OS, on a real store. Timers run only when a test asks. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'signoff-test-'));
  const databaseUrl = options.databaseUrl ?? (options.store === 'postgres' ? await createTestDatabase() : null);
  const config = loadConfig({
    SIGNOFF_TIMER_INTERVAL_MS: '3600000',
    LOG_LEVEL: 'silent',
    SIGNOFF_RATE_LIMIT_PER_MINUTE: '0',
    ...(databaseUrl ? { SIGNOFF_DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  }, { port: 0, httpsPort: options.https ? 0 : null, dataDir, demo: options.demo ?? true });
  const clock = new DevClock();
  const running = await startSignoff(config, {
    clock, ...(options.logStream ? { logStream: options.logStream } : { logger: false }), ...(options.webhookLookup ? { webhookLookup: options.webhookLookup } : {}),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await running.close();
  };
  return {
    url: running.httpUrl,
    httpsUrl: running.httpsUrl,
    caFile: running.tls?.caFile ?? null,
    dataDir,
    databaseUrl,
    running,
    clock,
    close,
    async destroy() {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
