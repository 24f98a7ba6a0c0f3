import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type Clock, DevClock } from './app/clock.js';
import { type Services, makeServices } from './app/services.js';
import { DEV_AUDIENCE, loadOrCreateSigningKey } from './auth/dev-issuer.js';
import { type TokenVerifier, createVerifier, localKeys, remoteKeys } from './auth/verify-token.js';
import type { Config } from './config.js';
import { createAuthenticator } from './http/authenticate.js';
import { storedClockOffset } from './http/dev-routes.js';
import { buildApp } from './http/server.js';
import { openPostgresStore } from './store/postgres-store.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';
import { DEMO_TENANT_PATH, loadTenantFile, seedTenantOnce } from './tenant/seed-tenant.js';
import { type TimerLoop, startTimerLoop } from './timers/timer-loop.js';
import { ensureLocalTls, operatorTls, type TlsMaterial } from './tls/local-ca.js';

export interface RunningSignoff {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
  readonly tls: TlsMaterial | null;
  readonly timers: TimerLoop;
  readonly devMode: boolean;
  readonly seeded: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the clock (tests); dev mode otherwise gets a movable DevClock. */
  readonly clock?: Clock;
  readonly logger?: pino.Logger | false;
}

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl && /^postgres(ql)?:\/\//i.test(config.databaseUrl)) return openPostgresStore({ url: config.databaseUrl });
  if (config.databaseUrl) throw new Error(`Unsupported database URL '${config.databaseUrl.split(':')[0]}:…'; use postgres://… or leave it unset for SQLite.`);
  return openSqliteStore(join(config.dataDir, 'signoff.db'));
}

async function externalVerifier(issuer: string, audience: string | null): Promise<TokenVerifier> {
  const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discoveryUrl);
  if (!response.ok) throw new Error(`OIDC discovery at ${discoveryUrl} answered ${response.status}.`);
  const doc = (await response.json()) as { issuer?: string; jwks_uri?: string };
  if (!doc.jwks_uri || !doc.issuer) throw new Error(`OIDC discovery at ${discoveryUrl} has no issuer or jwks_uri.`);
  return createVerifier({ issuer: doc.issuer, audiences: [audience ?? DEV_AUDIENCE], keys: remoteKeys(doc.jwks_uri) });
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlFor(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Opens the store, seeds it, and serves HTTP (and HTTPS) with the timers running. */
export async function startSignoff(config: Config, options: StartOptions = {}): Promise<RunningSignoff> {
  const logger = options.logger === undefined ? pino({ level: config.logLevel, redact: ['req.headers.authorization'] }) : options.logger;
  const store = await openStore(config);
  const devMode = config.oidcIssuer === null;
  const devClock = devMode && !options.clock ? new DevClock() : null;
  const clock: Clock = options.clock ?? devClock ?? { now: () => new Date().toISOString() };
  const services = makeServices(store, clock);
  if (devClock) devClock.follow(await storedClockOffset(services));

  let seeded = false;
  if (config.tenantFile) seeded = await seedTenantOnce(services, loadTenantFile(config.tenantFile));
  else if (config.demo) seeded = await seedTenantOnce(services, loadTenantFile(DEMO_TENANT_PATH));

  const signingKey = devMode ? await loadOrCreateSigningKey(store.db) : null;
  const jwks = signingKey ? { keys: [signingKey.publicJwk] } : { keys: [] };
  const verifier = signingKey
    ? createVerifier({ issuer: config.publicUrl, audiences: [DEV_AUDIENCE], keys: localKeys(jwks), algorithms: ['RS256'] })
    : await externalVerifier(config.oidcIssuer!, config.oidcAudience);

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let timers: TimerLoop | null = null;
  const movableClock = devClock ?? (options.clock instanceof DevClock ? options.clock : null);
  const app = await buildApp({
    services,
    authenticator: createAuthenticator(services, verifier),
    dev: signingKey && movableClock ? { services, signingKey, issuer: config.publicUrl, clock: movableClock, jwks, runTimers: () => timers!.runNow() } : null,
    logger: logger === false ? false : { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimitBytes: config.bodyLimitBytes,
    serverFactory: (h) => {
      handler = h;
      return createHttpServer(h);
    },
  });
  await app.ready();
  const httpPort = await listen(app.server, config.port, config.host);

  let tls: TlsMaterial | null = null;
  let httpsServer: HttpsServer | null = null;
  let httpsPort: number | null = null;
  if (config.httpsPort !== null) {
    tls = config.tlsCertFile && config.tlsKeyFile ? operatorTls(config.tlsCertFile, config.tlsKeyFile) : ensureLocalTls(config.dataDir);
    // The same Fastify handler serves both listeners, so routes, hooks and errors are identical.
    httpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, handler!);
    httpsPort = await listen(httpsServer, config.httpsPort, config.host);
  }

  timers = startTimerLoop(services, config.timerIntervalMs, app.log, async () => {
    if (devClock) devClock.follow(await storedClockOffset(services));
  });

  return {
    app,
    services,
    httpUrl: urlFor('http', config.host, httpPort),
    httpsUrl: httpsPort !== null ? urlFor('https', config.host, httpsPort) : null,
    tls,
    timers,
    devMode,
    seeded,
    async close() {
      await timers!.stop();
      if (httpsServer) {
        httpsServer.closeAllConnections?.();
        await new Promise<void>((resolve) => httpsServer!.close(() => resolve()));
      }
      await app.close();
      await store.close();
    },
  };
}
