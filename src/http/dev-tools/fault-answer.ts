import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import { armErrorBody } from '../arm/arm-errors.js';
import { dialectOf, stampRequestIds } from '../dialect.js';
import { graphErrorBody } from '../graph/graph-errors.js';
import type { FaultRule } from './fault-rules.js';

/** The header that marks an injected answer, so clients' logs and the request log show it. */
export const FAULT_HEADER = 'x-signoff-fault';

/** The codes each service uses for a status when the rule names none. */
const DEFAULT_CODES: Readonly<Record<number, { graph: string; arm: string; message: string }>> = {
  400: { graph: 'BadRequest', arm: 'BadRequest', message: 'The request is invalid.' },
  401: { graph: 'InvalidAuthenticationToken', arm: 'AuthenticationFailed', message: 'Authentication failed.' },
  403: { graph: 'accessDenied', arm: 'AuthorizationFailed', message: 'The caller is not authorized to perform this action.' },
  404: { graph: 'ResourceNotFound', arm: 'NotFound', message: 'The resource was not found.' },
  408: { graph: 'timeout', arm: 'RequestTimeout', message: 'The request timed out.' },
  409: { graph: 'Conflict', arm: 'Conflict', message: 'The request conflicts with the current state of the resource.' },
  429: { graph: 'TooManyRequests', arm: 'TooManyRequests', message: 'Too many requests. Retry after the time given in Retry-After.' },
  500: { graph: 'generalException', arm: 'InternalServerError', message: 'An unexpected error occurred.' },
  502: { graph: 'BadGateway', arm: 'BadGateway', message: 'The server received an invalid response upstream.' },
  503: { graph: 'serviceNotAvailable', arm: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Retry after the time given in Retry-After.' },
  504: { graph: 'GatewayTimeout', arm: 'GatewayTimeout', message: 'The request timed out upstream.' },
};

function defaults(status: number) {
  return DEFAULT_CODES[status] ?? (status >= 500 ? DEFAULT_CODES[500]! : DEFAULT_CODES[400]!);
}

/**
 * Answers a request with an injected error in the envelope of the API the path belongs to, built by
 * that dialect's own error module; only the code is the rule's (or the status's usual one).
 */
export function sendFault(request: FastifyRequest, reply: FastifyReply, rule: FaultRule, status: number): FastifyReply {
  const dialect = dialectOf(request.url);
  const fallback = defaults(status);
  const code = rule.respond.code ?? fallback[dialect];
  const message = rule.respond.message ?? fallback.message;
  reply.header(FAULT_HEADER, rule.id);
  if (rule.respond.retryAfter !== undefined) reply.header('retry-after', String(rule.respond.retryAfter));
  stampRequestIds(dialect, request, reply);
  let body: object;
  if (dialect === 'arm') {
    body = { error: { ...armErrorBody(new ApiError('INTERNAL', message)).body.error, code } };
  } else {
    const graph = graphErrorBody(new ApiError('INTERNAL', message), request).body as { error: object };
    body = { error: { ...graph.error, code, message } };
  }
  return reply.code(status).type('application/json').send(body);
}
