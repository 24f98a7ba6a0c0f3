import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type Clock, DevClock } from './app/clock.js';
import { LATEST_INSTANT } from './domain/time.js';
import { type Services, makeServices } from './app/services.js';
import { EmulatorState } from './app/emulator-state.js';
import { createDevTools } from './http/dev-tools/dev-tools.js';
import { DEV_AUDIENCE, loadOrCreateSigningKey } from './auth/dev-issuer.js';
import { type TokenVerifier, createVerifier, localKeys, remoteKeys } from './auth/verify-token.js';
import type { Config } from './config.js';
import { type DiscoveredEndpoints, type SignInSettings, externalSignIn } from './auth/sign-in-settings.js';
import { createAuthenticator } from './http/authenticate.js';
import { RateLimiter, withRateLimit } from './http/rate-limit.js';
import { buildApp } from './http/server.js';
import { answerClientError } from './http/client-errors.js';
import { type OutboxWorker, startOutboxWorker } from './notify/outbox-worker.js';
import { readClockOffset } from './store/dev-clock-repo.js';
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
  /** Sends outbox events to webhook subscribers; tests call `runNow()` as they do for timers. */
  readonly outbox: OutboxWorker;
  readonly devMode: boolean;
  readonly seeded: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the clock (tests); dev mode otherwise gets a movable DevClock. */
  readonly clock?: Clock;
  readonly logger?: pino.Logger | false;
  /** Where request logs go (tests read them); stdout by default. */
  readonly logStream?: NodeJS.WritableStream;
  /** Resolves webhook receivers' host names in place of DNS (tests). */
  readonly webhookLookup?: LookupFunction;
}

export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl && /^postgres(ql)?:\/\//i.test(config.databaseUrl)) {
    // Loaded only when asked for: the embedded default starts without the PostgreSQL driver.
    const { openPostgresStore } = await import('./store/postgres-store.js');
    return openPostgresStore({ url: config.databaseUrl, poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeoutMs, preparedStatements: config.dbPreparedStatements });
  }
  if (config.databaseUrl) throw new Error(`Unsupported database URL '${config.databaseUrl.split(':')[0]}:…'; use postgres://… or leave it unset for SQLite.`);
  return openSqliteStore(join(config.dataDir, 'signoff.db'));
}

/** Long enough for an identity provider waking up; short enough that a start against a dropped connection says why. */
const DISCOVERY_TIMEOUT_MS = 10_000;

/** The issuer's discovery document; every way it can fail names the address, since an operator reads it at startup. */
async function discover(discoveryUrl: string): Promise<Partial<DiscoveredEndpoints> & { jwks_uri?: string }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${DISCOVERY_TIMEOUT_MS / 1000} seconds` : e.cause?.message ?? e.message ?? String(error);
    throw new Error(`OIDC discovery at ${discoveryUrl} could not be fetched: ${why}.`);
  }
  if (!response.ok) throw new Error(`OIDC discovery at ${discoveryUrl} answered ${response.status}.`);
  try {
    return JSON.parse(text) as Partial<DiscoveredEndpoints> & { jwks_uri?: string };
  } catch {
    throw new Error(`OIDC discovery at ${discoveryUrl} answered something that is not JSON.`);
  }
}

async function externalVerifier(issuer: string, audience: string | null, jwksCooldownMs: number): Promise<{ verifier: TokenVerifier; doc: DiscoveredEndpoints }> {
  const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const doc = await discover(discoveryUrl);
  if (typeof doc !== 'object' || doc === null) throw new Error(`OIDC discovery at ${discoveryUrl} answered something that is not a discovery document.`);
  if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri) || typeof doc.issuer !== 'string' || !doc.issuer) throw new Error(`OIDC discovery at ${discoveryUrl} has no issuer or no usable jwks_uri.`);
  // OpenID Connect Discovery 1.0 §4.3: a document naming another issuer is not this issuer's.
  if (doc.issuer.replace(/\/$/, '') !== issuer.replace(/\/$/, '')) throw new Error(`OIDC discovery at ${discoveryUrl} names the issuer '${doc.issuer}', not '${issuer}'.`);
  const verifier = createVerifier({ issuer: doc.issuer, audiences: [audience ?? DEV_AUDIENCE], keys: remoteKeys(doc.jwks_uri, { cooldownMs: jwksCooldownMs }) });
  return { verifier, doc: { ...doc, issuer: doc.issuer } };
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function urlFor(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Opens the store, seeds it, and serves HTTP (and HTTPS) with the timers running. */
export async function startSignoff(config: Config, options: StartOptions = {}): Promise<RunningSignoff> {
  const logger = options.logger === undefined ? pino({ level: config.logLevel, redact: ['req.headers.authorization'] }) : options.logger;
  // A tenant file with a mistake stops the start before anything is opened.
  const tenant = config.tenantFile ? loadTenantFile(config.tenantFile) : config.demo ? loadTenantFile(DEMO_TENANT_PATH) : null;
  // So does an identity provider that cannot be discovered.
  const external = config.oidcIssuer ? await externalVerifier(config.oidcIssuer, config.oidcAudience, config.oidcJwksCooldownMs) : null;
  const store = await openStore(config);
  const devMode = config.oidcIssuer === null;
  const devClock = devMode && !options.clock ? new DevClock() : null;
  const clock: Clock = options.clock ?? devClock ?? { now: () => new Date().toISOString() };
  const services = makeServices(store, clock);
  const movableClock = devMode ? devClock ?? (options.clock instanceof DevClock ? options.clock : null) : null;
  const storedOffset = movableClock ? await readClockOffset(store.db) : 0;
  // A store an older Signoff wrote may hold an offset past any usable date; start at real time rather than fail every request.
  const ignoredOffset = movableClock && !movableClock.follow(storedOffset) ? storedOffset : null;

  let seeded = false;
  if (tenant) seeded = await seedTenantOnce(services, tenant);
  // What `POST /dev/reset` goes back to: the store exactly as this process seeded it.
  const seedImage = devMode && seeded ? await EmulatorState.capture(store) : null;

  const signingKey = devMode ? await loadOrCreateSigningKey(store) : null;
  const jwks = signingKey ? { keys: [signingKey.publicJwk] } : { keys: [] };
  const verifier = signingKey
    ? createVerifier({ issuer: config.publicUrl, audiences: [DEV_AUDIENCE], keys: localKeys(jwks), algorithms: ['RS256'] })
    : external!.verifier;
  const signIn: SignInSettings = external ? externalSignIn(external.doc, config.oidcClientId, config.oidcScopes) : { mode: 'dev' };

  // Instances sharing a store share the dev clock through it; each catches up before it acts.
  const followSharedClock = async () => {
    if (movableClock) movableClock.follow(await readClockOffset(store.db));
  };
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let timers: TimerLoop | null = null;
  const devTools = devMode && movableClock ? createDevTools(new EmulatorState({
    store, clock: movableClock, newId: services.newId, tenant, seedImage, storedClockOffset: () => readClockOffset(store.db),
  })) : undefined;
  const app = await buildApp({
    services,
    // One limiter for every dialect, so a caller's allowance is shared across Graph, ARM and Signoff's API.
    authenticator: withRateLimit(createAuthenticator(services, verifier, config.oidcSubjectClaims), config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute) : null),
    dev: signingKey && movableClock ? { services, signingKey, issuer: config.publicUrl, clock: movableClock, jwks, runTimers: () => timers!.runNow(), followSharedClock, tools: devTools } : null,
    logger: options.logStream
      ? { level: config.logLevel, stream: options.logStream, redact: ['req.headers.authorization'] }
      : logger === false ? false : { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    metricsToken: config.metricsToken,
    signIn,
    serverFactory: (h) => {
      handler = h;
      return createHttpServer(h);
    },
  });
  await app.ready();
  if (ignoredOffset !== null) app.log.warn({ storedOffsetMs: ignoredOffset }, `Ignoring the stored dev clock offset: the clock cannot go past ${LATEST_INSTANT}.`);
  // Containers need the emulator on every address, so this is allowed, and said out loud.
  if (devMode && !isLoopback(config.host)) {
    app.log.warn({ host: config.host }, 'Dev mode on a non-loopback address: anyone who can reach this port can mint tokens for any user, administrators included. Configure SIGNOFF_OIDC_ISSUER for a shared server.');
  }
  const httpPort = await listen(app.server, config.port, config.host);

  let tls: TlsMaterial | null = null;
  let httpsServer: HttpsServer | null = null;
  let httpsPort: number | null = null;
  if (config.httpsPort !== null) {
    tls = config.tlsCertFile && config.tlsKeyFile ? operatorTls(config.tlsCertFile, config.tlsKeyFile) : await ensureLocalTls(config.dataDir);
    // The same Fastify handler serves both listeners, so routes, hooks and errors are identical.
    httpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, handler!);
    // Fastify answers the parser's refusals on its own listener only.
    httpsServer.on('clientError', answerClientError);
    httpsPort = await listen(httpsServer, config.httpsPort, config.host);
  }

  timers = startTimerLoop(services, config.timerIntervalMs, app.log, followSharedClock);
  const outbox = startOutboxWorker(services, {
    beforeRun: followSharedClock,
    intervalMs: config.outboxIntervalMs, timeoutMs: config.webhookTimeoutMs, inboxUrl: `${config.publicUrl}/`, log: app.log,
    ...(options.webhookLookup ? { lookup: options.webhookLookup } : {}),
  });

  return {
    app,
    services,
    httpUrl: urlFor('http', config.host, httpPort),
    httpsUrl: httpsPort !== null ? urlFor('https', config.host, httpsPort) : null,
    tls,
    timers,
    outbox,
    devMode,
    seeded,
    async close() {
      // Stop accepting on both listeners and wait for the requests in flight to finish (the
      // listeners are ours, so Fastify's close would not wait for them), then stop the timers.
      const closing = [app.server, httpsServer].filter((s): s is Server | HttpsServer => s !== null)
        .map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      await Promise.all(closing);
      await app.close();
      await timers!.stop();
      await outbox.stop();
      await store.close();
    },
  };
}
