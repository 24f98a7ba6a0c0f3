import type { FastifyRequest } from 'fastify';
import { type Grant, type Permission, missingPermission, routeKey } from '../auth/permissions.js';
import { ApiError } from './api-error.js';
import type { CallerContext } from './fastify-types.js';

/** Refuses `caller` with MISSING_PERMISSION unless its token opens `permission`. */
export function assertPermitted(caller: CallerContext, permission: Permission | undefined, operation: string): void {
  const grant: Grant = caller.kind === 'application' ? { kind: 'application', roles: caller.roles } : { kind: 'delegated', scopes: caller.scopes };
  const missing = missingPermission(grant, permission, operation);
  if (missing) throw new ApiError('MISSING_PERMISSION', missing);
}

/**
 * A hook that checks the authenticated caller against `table`, keyed by method and the route
 * pattern without the plugin's `prefix`. A route absent from the table is refused, not opened.
 * Unknown URLs fall through to the plugin's 404 answer.
 */
export function permissionHook(table: Readonly<Record<string, Permission>>, prefix: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.is404) return;
    const url = request.routeOptions.url ?? '';
    const key = routeKey(request.method, url.startsWith(prefix) ? url.slice(prefix.length) : url);
    // Named by the path the caller sent, not the route pattern (`:id`), which means nothing to them.
    assertPermitted(request.caller!, table[key], `${request.method} ${request.url.split('?')[0]}`);
  };
}
