import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, Services } from '../../app/services.js';
import { SIGNOFF_API_PERMISSIONS } from '../../auth/permissions.js';
import type { Authenticator } from '../authenticate.js';
import { permissionHook } from '../authorize.js';
import type { CallerContext } from '../fastify-types.js';
import { sendGraphError } from '../graph/graph-errors.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerBreakGlassRoutes } from './break-glass-routes.js';
import { registerDecidedRoutes } from './decided-routes.js';
import { registerDirectoryImportRoutes } from './directory-import-routes.js';
import { registerPolicyApiRoutes } from './policy-api-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';

export interface SignoffApiDeps {
  readonly services: Services;
  readonly callerOf: (request: FastifyRequest) => CallerContext;
  readonly actorOf: (request: FastifyRequest) => Actor;
}

export interface SignoffApiOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
}

/**
 * Signoff's own API (webhooks, audit log) under `/signoff/v1`: bearer authentication on every
 * route, errors in Graph's envelope and catalogue so clients handle one error format.
 */
export async function signoffApiPlugin(app: FastifyInstance, options: SignoffApiOptions): Promise<void> {
  app.addHook('preValidation', async (request) => {
    request.caller = await options.authenticator.authenticate(request);
  });
  app.addHook('preValidation', permissionHook(SIGNOFF_API_PERMISSIONS, app.prefix));
  app.setErrorHandler((error, request, reply) => sendGraphError(error, request, reply));
  // The hooks above have authenticated and authorized every route before its handler runs.
  const deps: SignoffApiDeps = {
    services: options.services,
    callerOf: (request) => request.caller!,
    actorOf: (request) => ({ userId: request.caller!.userId, correlationId: request.clientRequestId, clientIp: request.ip }),
  };
  registerWebhookRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerPolicyApiRoutes(app, deps);
  registerDirectoryImportRoutes(app, deps);
  registerBreakGlassRoutes(app, deps);
  registerDecidedRoutes(app, deps);
}
