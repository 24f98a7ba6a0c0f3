import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import Value from 'typebox/value';
import type { Services } from '../../app/services.js';
import { ApiError } from '../api-error.js';
import { ARM_PERMISSIONS } from '../../auth/permissions.js';
import type { Authenticator } from '../authenticate.js';
import { stampRequestIds } from '../dialect.js';
import { assertPermitted } from '../authorize.js';
import { withoutServedArmFields } from '../served-fields.js';
import { sendArmError } from './arm-errors.js';
import { matchOperation } from './arm-operations.js';
import { type ArmPath, parseArmPath } from './arm-path.js';

export interface ArmPluginOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
}

function apiVersionOf(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>)['api-version'];
  if (value === undefined || value === '') {
    throw new ApiError('MISSING_API_VERSION', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  if (typeof value !== 'string') throw new ApiError('INVALID_API_VERSION', 'The api-version query parameter was given more than once.');
  return value;
}

/** Body validation failures take Fastify's shape so toApiError describes them like any other. */
function validated(schema: Type.TSchema, body: unknown): unknown {
  if (Value.Check(schema, body)) return body;
  throw Object.assign(new Error('invalid body'), { validation: [...Value.Errors(schema, body)], validationContext: 'body' });
}

/**
 * What ARM answers for a URL no operation serves: another provider's namespace is unknown here;
 * under Microsoft.Authorization, the resource type as ARM names one, its type segments joined
 * (`roleAssignmentApprovals/bogus` for `roleAssignmentApprovals/{id}/bogus`).
 */
function unknownResource(url: string, path: ArmPath | null): ApiError {
  if (path && path.segments.length > 0) {
    const type = path.segments.filter((_, i) => i % 2 === 0).join('/');
    return new ApiError('UNKNOWN_ROUTE', `The resource type '${type}' could not be found in the namespace 'Microsoft.Authorization'.`);
  }
  const namespace = [...url.split('?')[0]!.matchAll(/\/providers\/([^/]+)/gi)].at(-1)?.[1];
  if (!path && namespace && namespace.toLowerCase() !== 'microsoft.authorization') return new ApiError('UNKNOWN_NAMESPACE', `The resource namespace '${namespace}' is invalid.`);
  return new ApiError('UNKNOWN_ROUTE', "The request URL names no resource type; Signoff serves Microsoft.Authorization's under /providers/Microsoft.Authorization/.");
}

async function dispatch(options: ArmPluginOptions, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const path = parseArmPath(request.url);
  const apiVersion = apiVersionOf(request);
  // HEAD answers as GET does; node sends no body with it.
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const match = path ? matchOperation(method, path.scope, path.segments) : { kind: 'none' as const };
  if (match.kind === 'wrongMethod') {
    throw new ApiError('UNKNOWN_ROUTE', `The resource does not support the HTTP method '${request.method}'; it supports ${match.allowed.join(', ')}.`);
  }
  if (match.kind === 'none' || !path) throw unknownResource(request.url, path);
  const { operation, params } = match;
  assertPermitted(request.caller!, ARM_PERMISSIONS[operation.operationId], operation.operationId);
  if (!operation.apiVersions.includes(apiVersion)) {
    throw new ApiError('INVALID_API_VERSION', `The api-version '${apiVersion}' is invalid. The supported versions are '${operation.apiVersions.join(',')}'.`);
  }
  const body = operation.body ? validated(operation.body, withoutServedArmFields(request.body)) : undefined;
  const result = await operation.handle({ request, services: options.services, scope: path.scope, params, body });
  return reply.code(result.status).send(result.body);
}

/**
 * Azure Resource Manager: its headers, its error envelope, bearer authentication, then one
 * dispatcher over the operation table. ARM scopes are unencoded paths of any length, which a
 * router's parameters cannot capture, so each scope root gets a wildcard route and the path is
 * split at the provider (arm-path.ts).
 */
export async function armPlugin(app: FastifyInstance, options: ArmPluginOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    stampRequestIds('arm', request, reply);
    // ARM's front door authenticates before it looks at the operation or its body.
    request.caller = await options.authenticator.authenticate(request);
  });
  app.setErrorHandler((error, request, reply) => sendArmError(error, request, reply));

  // Every method and the bare roots too, so whatever is sent under ARM's roots is authenticated and
  // answered by ARM, not by the server's catch-all.
  for (const url of ['/providers', '/providers/*', '/subscriptions', '/subscriptions/*']) {
    app.all(url, (request, reply) => dispatch(options, request, reply));
  }
}
