import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Services } from '../app/services.js';
import { assertMigrationsCurrent } from '../store/migrate.js';
import { ApiError } from './api-error.js';
import type { Authenticator } from './authenticate.js';
import { registerBodyParsers } from './body-parsers.js';
import { type DevRoutesOptions, devRoutes, refuseOtherOrigins } from './dev-routes.js';
import { type DevTools, registerDevToolHooks } from './dev-tools/dev-tools.js';
import { devToolsRoutes } from './dev-tools/dev-tools-routes.js';
import { graphPlugin } from './graph/graph-plugin.js';
import { armPlugin } from './arm/arm-plugin.js';
import { signoffApiPlugin } from './signoff/signoff-api-plugin.js';
import { answerClientError } from './client-errors.js';
import { sendErrorInDialectOf, withArmRootLowered } from './dialect.js';
import './fastify-types.js';
import { registerObservability } from './observability.js';
import { webPlugin } from '../web/serve-web.js';
import type { SignInSettings } from '../auth/sign-in-settings.js';

export interface AppOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
  /** Present in dev mode only: `/dev/*` and the dev issuer's discovery documents. */
  readonly dev: (DevRoutesOptions & { readonly jwks: { keys: object[] }; readonly tools?: DevTools }) | null;
  readonly logger: FastifyServerOptions['logger'];
  readonly bodyLimitBytes: number;
  readonly metricsToken?: string | null;
  readonly serverFactory?: FastifyServerOptions['serverFactory'];
  /** How the inbox and the CLI sign people in (`GET /web/config.json`); dev mode when absent. */
  readonly signIn?: SignInSettings;
  /** Proxies whose X-Forwarded-* headers are believed (Config.trustProxy); none when absent. */
  readonly trustProxy?: boolean | number | readonly string[];
}

/** Fastify's form of Config.trustProxy: a hop count trusts that many proxies nearest the server. */
function trustProxyOption(trust: boolean | number | readonly string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}

/**
 * The composition root of the HTTP side. Order matters: infrastructure hooks first, then the
 * unauthenticated endpoints, then each wire dialect in its own encapsulated plugin with its own
 * error envelope and authentication.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    genReqId: () => randomUUID(),
    // observability.ts logs one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: trustProxyOption(options.trustProxy ?? false),
    // Graph paths carry OData function calls and keys with quotes and parentheses.
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
    rewriteUrl: (request) => withArmRootLowered(request.url ?? '/'),
    // Requests refused before routing (a malformed URL, unparsable HTTP) answer in their API's envelope too.
    frameworkErrors: (error, request, reply) => sendErrorInDialectOf(error, request, reply),
    clientErrorHandler: answerClientError,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerBodyParsers(app);
  app.decorateRequest('clientRequestId', '');
  app.decorateRequest('caller', null);

  // Infrastructure: request ids on every response; outside the dialects' plugins, errors take the
  // envelope of the API the path belongs to.
  app.addHook('onRequest', async (request, reply) => {
    request.clientRequestId = request.id;
    reply.header('request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => sendErrorInDialectOf(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendErrorInDialectOf(new ApiError('UNKNOWN_ROUTE', `No resource at '${request.url.split('?')[0]}'.`), request, reply));
  // Dev mode: injected faults answer before any authentication; the request log sees every answer.
  if (options.dev?.tools) registerDevToolHooks(app, options.dev.tools);
  // Instances on one PostgreSQL share the dev clock: a request answered here right after another
  // instance moved it must see the moved clock. A store that cannot be read fails the request itself.
  const followSharedClock = options.dev && options.services.store.dialect === 'postgres' ? options.dev.followSharedClock : null;
  if (followSharedClock) app.addHook('onRequest', async () => followSharedClock().catch(() => {}));

  registerObservability(app, options.services, options.metricsToken ?? null);

  // Unauthenticated: health, readiness, metrics and, in dev mode, the dev issuer.
  app.get('/healthz', async (_request, reply) => {
    try {
      await options.services.store.ping();
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.services.store.ping();
      await assertMigrationsCurrent(options.services.store.db);
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', reason: error instanceof Error ? error.message : String(error) });
    }
  });
  if (options.dev) {
    const dev = options.dev;
    app.addHook('onRequest', refuseOtherOrigins);
    app.get('/.well-known/openid-configuration', async () => ({
      issuer: dev.issuer,
      jwks_uri: `${dev.issuer}/.well-known/jwks.json`,
      token_endpoint: `${dev.issuer}/dev/token`,
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile'],
      claims_supported: ['sub', 'oid', 'upn', 'preferred_username', 'name', 'tid', 'scp'],
    }));
    app.get('/.well-known/jwks.json', async () => dev.jwks);
    await app.register(devRoutes, dev);
    if (dev.tools) await app.register(devToolsRoutes, { services: dev.services, tools: dev.tools });
  }

  // Wire dialects.
  for (const version of ['beta', 'v1.0'] as const) {
    await app.register(graphPlugin, { prefix: `/${version}`, services: options.services, authenticator: options.authenticator, version });
  }
  // ARM at the root: `/providers/...` and `/subscriptions/...` (arm/arm-plugin.ts).
  await app.register(armPlugin, { services: options.services, authenticator: options.authenticator });
  // Signoff's own API: webhooks and the audit log.
  await app.register(signoffApiPlugin, { prefix: '/signoff/v1', services: options.services, authenticator: options.authenticator });

  // The approver inbox: static files only; it talks to the Graph routes above like any client.
  await app.register(webPlugin, { signIn: options.signIn ?? { mode: 'dev' } });
  return app;
}
