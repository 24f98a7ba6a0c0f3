import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendArmError } from './arm/arm-errors.js';
import { sendGraphError } from './graph/graph-errors.js';
import { type RequestIds, armRequestIds, graphRequestIds } from './request-ids.js';

export type Dialect = 'graph' | 'arm';

/** ARM's two scope roots. ARM reads path segments case-insensitively. */
const ARM_ROOT = /^\/(providers|subscriptions)(?=[/?]|$)/i;

/** Which API a path belongs to; anything that is not ARM answers like Graph, as the server's root does. */
export function dialectOf(path: string): Dialect {
  return ARM_ROOT.test(path) ? 'arm' : 'graph';
}

/**
 * The router matches case-sensitively; ARM does not. Lowering ARM's root segment lets
 * `/PROVIDERS/...` and `/Subscriptions/...` reach ARM's routes, where arm-path.ts reads the rest
 * case-insensitively.
 */
export function withArmRootLowered(url: string): string {
  return url.replace(ARM_ROOT, (root) => root.toLowerCase());
}

export function requestIdsIn(dialect: Dialect, sent: IncomingHttpHeaders, requestId: string): RequestIds {
  return dialect === 'arm' ? armRequestIds(sent, requestId) : graphRequestIds(sent, requestId);
}

/** Sets the dialect's correlation headers on the reply and the client's id on the request. */
export function stampRequestIds(dialect: Dialect, request: FastifyRequest, reply: FastifyReply): void {
  const ids = requestIdsIn(dialect, request.headers, request.id);
  request.clientRequestId = ids.clientRequestId;
  reply.headers(ids.headers);
}

/**
 * For errors no dialect's plugin handles (Fastify's own, such as a malformed URL, and routes no
 * plugin serves): the envelope and request ids of the API the path belongs to.
 */
export function sendErrorInDialectOf(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const dialect = dialectOf(request.url);
  stampRequestIds(dialect, request, reply);
  return dialect === 'arm' ? sendArmError(error, request, reply) : sendGraphError(error, request, reply);
}
