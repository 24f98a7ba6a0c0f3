import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A client's id is echoed only when it is a plain token, so no header or log line can be forged through it. */
const ECHOABLE = /^[\w.:-]{1,128}$/;

function echoable(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && ECHOABLE.test(value) ? value : undefined;
}

export interface RequestIds {
  /** The id the audit log and error bodies carry as the client's. */
  readonly clientRequestId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Graph's: `request-id` is ours; `client-request-id` echoes the client's, or repeats ours. */
export function graphRequestIds(sent: IncomingHttpHeaders, requestId: string): RequestIds {
  const clientRequestId = echoable(sent, 'client-request-id') ?? requestId;
  return { clientRequestId, headers: { 'request-id': requestId, 'client-request-id': clientRequestId } };
}

/** ARM's: `x-ms-request-id` is ours; the correlation id is the client's or a new one; the client's own id is echoed. */
export function armRequestIds(sent: IncomingHttpHeaders, requestId: string): RequestIds {
  const correlationId = echoable(sent, 'x-ms-correlation-request-id') ?? randomUUID();
  const clientRequestId = echoable(sent, 'x-ms-client-request-id');
  return {
    clientRequestId: correlationId,
    headers: {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': correlationId,
      ...(clientRequestId ? { 'x-ms-client-request-id': clientRequestId } : {}),
    },
  };
}
