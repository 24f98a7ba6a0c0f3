import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app/services.js';
import { GRAPH_PERMISSIONS } from '../../auth/permissions.js';
import { ApiError } from '../api-error.js';
import { permissionHook } from '../authorize.js';
import { RouteMethods } from '../route-methods.js';
import type { Authenticator } from '../authenticate.js';
import { stampRequestIds } from '../dialect.js';
import { type ApprovalCollection, registerApprovalRoutes } from './approvals-routes.js';
import { registerBatchRoutes } from './batch-routes.js';
import { registerDirectoryAdminRoutes } from './directory-admin-routes.js';
import { registerDirectoryAuditRoutes } from './directory-audit-routes.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import type { GraphDeps } from './graph-context.js';
import { sendGraphError } from './graph-errors.js';
import type { GraphVersion } from './graph-shapes.js';
import { registerRoleRoutes } from './role-routes.js';
import { registerPolicyRoutes } from './policy-routes.js';
import { registerAccessPackagePolicyRoutes } from './access-package-policy-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerAccessPackageRoutes } from './access-package-routes.js';
import { registerEligibilityRoutes } from './eligibility-routes.js';

const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Where each family's approvals live, per Graph version (see specs/graph-approvals.md §0). */
export const APPROVAL_COLLECTIONS: Record<GraphVersion, readonly ApprovalCollection[]> = {
  beta: [
    { family: 'directoryRole', path: '/roleManagement/directory/roleAssignmentApprovals', children: ['steps'] },
    { family: 'group', path: '/identityGovernance/privilegedAccess/group/assignmentApprovals', children: ['steps', 'stages'] },
    { family: 'accessPackage', path: '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals', children: ['steps'] },
  ],
  'v1.0': [
    { family: 'group', path: '/identityGovernance/privilegedAccess/group/assignmentApprovals', children: ['stages', 'steps'] },
    { family: 'accessPackage', path: '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals', children: ['stages'] },
  ],
};

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface GraphPluginOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
  readonly version: GraphVersion;
}

/** One Graph version: its headers, its error envelope, bearer authentication, then its routes. */
export async function graphPlugin(app: FastifyInstance, options: GraphPluginOptions): Promise<void> {
  const deps: GraphDeps = { services: options.services, version: options.version };
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => routeMethods.record(route.method, route.url));

  app.addHook('onRequest', async (request, reply) => stampRequestIds('graph', request, reply));
  // Actions such as `cancel` take no body, yet Microsoft's Graph client types an empty POST as JSON.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-length'] === '0') delete request.headers['content-type'];
  });
  // Before body validation, as Graph answers 401/403 before it looks at a body.
  app.addHook('preValidation', async (request) => {
    request.caller = await options.authenticator.authenticate(request);
  });
  app.addHook('preValidation', permissionHook(GRAPH_PERMISSIONS, app.prefix));
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', GRAPH_JSON);
    return payload;
  });
  app.setErrorHandler((error, request, reply) => sendGraphError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    // Like Graph: a URL that exists answers a method it lacks with 405, once the caller is authenticated.
    const allowed = routeMethods.at(request.url);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendGraphError(new ApiError('METHOD_NOT_ALLOWED', `The method '${request.method}' is not supported for this URL; it supports ${allowed.join(', ')}.`, { allow: allowed }), request, reply);
    }
    const segment = routeMethods.firstUnknownSegment(request.url) ?? request.url.split('?')[0]!.split('/').filter(Boolean).pop() ?? '';
    return sendGraphError(new ApiError('UNKNOWN_ROUTE', `Resource not found for the segment '${decodedSegment(segment)}'.`), request, reply);
  });

  registerBatchRoutes(app, deps);
  registerDirectoryRoutes(app, deps);
  registerDirectoryAdminRoutes(app, deps);
  registerDirectoryAuditRoutes(app, deps);
  registerRoleRoutes(app, deps);
  registerEligibilityRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerAccessPackagePolicyRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerAccessPackageRoutes(app, deps);
  for (const where of APPROVAL_COLLECTIONS[options.version]) registerApprovalRoutes(app, deps, where);
}
