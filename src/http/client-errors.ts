import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from './api-error.js';
import { armErrorBody } from './arm/arm-errors.js';
import { dialectOf, requestIdsIn } from './dialect.js';
import { graphErrorBody } from './graph/graph-errors.js';

/** What node's HTTP parser reports when it refuses a request before any route could see it. */
interface ParseError extends Error {
  readonly code?: string;
  /** The bytes the parser was reading (a Buffer); they start with the request line unless that line spans several reads. */
  readonly rawPacket?: unknown;
}

/** How long the client has to read the answer before the connection is cut, even if it is still sending. */
const LINGER_MS = 2000;

function requestLineOf(packet: unknown): { readonly target: string; readonly ends: boolean } | null {
  if (!Buffer.isBuffer(packet)) return null;
  const line = /^[!#$%&'*+.^`|~\w-]+ (\/\S*)/.exec(packet.subarray(0, 2048).toString('latin1'));
  return line ? { target: line[1]!, ends: packet.indexOf(0x0a) >= 0 } : null;
}

function refusalOf(error: ParseError, line: ReturnType<typeof requestLineOf>): ApiError {
  switch (error.code) {
    // Node counts the request line with the headers; a line that does not even end is a URL too long.
    case 'HPE_HEADER_OVERFLOW':
      return line && !line.ends ? new ApiError('URI_TOO_LONG', 'The request URL is too long.') : new ApiError('HEADERS_TOO_LARGE', 'The request headers are too large.');
    case 'HPE_INVALID_METHOD': return new ApiError('METHOD_NOT_IMPLEMENTED', 'The request method is not supported.');
    case 'ERR_HTTP_REQUEST_TIMEOUT': return new ApiError('REQUEST_TIMEOUT', 'The request was not received in time.');
    default: return new ApiError('BAD_REQUEST', 'The request is not valid HTTP.');
  }
}

/**
 * Node's `clientError`: a request refused by the HTTP parser (headers too large, an unknown
 * method, bytes that are not HTTP) never reaches Fastify, so it is answered here, on the socket,
 * in the envelope of the API its request line names, and the connection is closed.
 */
export function answerClientError(error: ParseError, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const line = requestLineOf(error.rawPacket);
  const dialect = dialectOf(line?.target ?? '/');
  const apiError = refusalOf(error, line);
  const requestId = randomUUID();
  const ids = requestIdsIn(dialect, {}, requestId);
  const { status, body } = dialect === 'arm' ? armErrorBody(apiError) : graphErrorBody(apiError, { id: requestId, clientRequestId: ids.clientRequestId });
  const payload = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(payload)}`,
    'connection: close',
    ...Object.entries(ids.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${payload}`);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
