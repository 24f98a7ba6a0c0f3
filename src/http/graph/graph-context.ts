import type { FastifyRequest } from 'fastify';
import type { Approval } from '../../domain/approval.js';
import type { Services } from '../../app/services.js';
import { getUsers } from '../../directory/directory-repo.js';
import type { CallerContext } from '../fastify-types.js';
import { type GraphVersion, type ShapeContext, namedUserIds } from './graph-shapes.js';
import { requestBaseUrl } from './odata.js';

export interface GraphDeps {
  readonly services: Services;
  readonly version: GraphVersion;
}

export function callerOf(request: FastifyRequest): CallerContext {
  // The Graph plugin's hooks authenticate every route before its handler runs.
  return request.caller!;
}

export function actorOf(request: FastifyRequest): { userId: string; correlationId: string; clientIp: string } {
  return { userId: callerOf(request).userId, correlationId: request.clientRequestId, clientIp: request.ip };
}

export function odataContext(request: FastifyRequest, version: GraphVersion, fragment: string): string {
  return `${requestBaseUrl(request)}/${version}/$metadata#${fragment}`;
}

/** Loads the users the approvals mention (reviewers) so shapes can show their names. */
export async function shapeContextFor(deps: GraphDeps, request: FastifyRequest, approvals: readonly Approval[]): Promise<ShapeContext> {
  const ids = namedUserIds(approvals);
  return {
    version: deps.version,
    callerId: callerOf(request).userId,
    now: deps.services.clock.now(),
    users: await getUsers(deps.services.store.db, ids),
  };
}
