import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { Services } from '../app/services.js';
import { ApiError } from './api-error.js';
import type { Authenticator } from './authenticate.js';
import { type DevRoutesOptions, devRoutes } from './dev-routes.js';
import { graphPlugin } from './graph/graph-plugin.js';
import { sendGraphError } from './graph/graph-errors.js';
import './fastify-types.js';

export interface AppOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
  /** Present in dev mode only: `/dev/*` and the dev issuer's discovery documents. */
  readonly dev: (DevRoutesOptions & { readonly jwks: { keys: object[] } }) | null;
  readonly logger: FastifyServerOptions['logger'];
  readonly bodyLimitBytes: number;
  readonly serverFactory?: FastifyServerOptions['serverFactory'];
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
    bodyLimit: options.bodyLimitBytes,
    // Graph paths carry OData function calls and keys with quotes and parentheses.
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: true },
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.decorateRequest('clientRequestId', '');
  app.decorateRequest('caller', null);

  // Infrastructure: request ids on every response, one error envelope outside the dialects.
  app.addHook('onRequest', async (request, reply) => {
    request.clientRequestId = request.id;
    reply.header('request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => sendGraphError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendGraphError(new ApiError('UNKNOWN_ROUTE', `No resource at '${request.url.split('?')[0]}'.`), request, reply));

  // Unauthenticated: health and, in dev mode, the dev issuer.
  app.get('/healthz', async (_request, reply) => {
    try {
      await options.services.store.ping();
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  if (options.dev) {
    const dev = options.dev;
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
  }

  // Wire dialects.
  for (const version of ['beta', 'v1.0'] as const) {
    await app.register(graphPlugin, { prefix: `/${version}`, services: options.services, authenticator: options.authenticator, version });
  }
  return app;
}
