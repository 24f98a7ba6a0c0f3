import type { Caller } from '../app/authorization.js';

/** The authenticated caller as the HTTP layer knows it: the app's Caller plus token facts. */
export interface CallerContext extends Caller {
  readonly upn: string;
  readonly displayName: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** A signed-in user (delegated `scopes`), or an application calling as itself (`roles`). */
  readonly kind: 'user' | 'application';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's correlation id (`client-request-id` / `x-ms-client-request-id`), or our request id. */
    clientRequestId: string;
    caller: CallerContext | null;
  }
}
