import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { DevClock } from '../app/clock.js';
import type { Services } from '../app/services.js';
import { ALL_DEV_SCOPES, DEV_TOKEN_LIFETIME_SECONDS, type SigningKey, signDevToken } from '../auth/dev-issuer.js';
import { findUser } from '../directory/directory-repo.js';
import { readClockOffset, saveClockOffset } from '../store/dev-clock-repo.js';
import { parseDuration } from '../domain/time.js';
import { tenantInfo } from '../tenant/seed-tenant.js';
import { ApiError } from './api-error.js';
import { sendGraphError } from './graph/graph-errors.js';

export interface DevRoutesOptions {
  readonly services: Services;
  readonly signingKey: SigningKey;
  readonly issuer: string;
  readonly clock: DevClock;
  /** Runs the timers that fell due, so a clock move is visible when its response arrives. */
  readonly runTimers: () => Promise<unknown>;
  /** Catches up with a move of the clock that another instance sharing the store made. */
  readonly followSharedClock: () => Promise<void>;
}

const TokenBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 320 }),
  scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
}, { additionalProperties: false });

const ClockBody = Type.Object({
  advance: Type.Optional(Type.String({ maxLength: 64 })),
  set: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

/**
 * `/dev/*` takes no token, so without this any web page the developer opens could reset, restore
 * or move the emulator through their browser: a POST with no body needs no CORS preflight. Browsers
 * name the page's origin on every POST; one other than this server's own is refused. Scripts, SDKs
 * and curl send no Origin, and the inbox sends its own.
 */
export async function refuseOtherOrigins(request: FastifyRequest): Promise<void> {
  const origin = request.headers.origin;
  if (origin === undefined || !request.url.startsWith('/dev/')) return;
  let host: string | null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  // The host the browser addressed: the Host header, or a trusted proxy's X-Forwarded-Host.
  if (host === null || host.toLowerCase() !== (request.host ?? '').toLowerCase()) {
    throw new ApiError('ACCESS_DENIED', `The dev endpoints answer this server's own pages and clients that send no Origin, not a page of '${origin}'.`);
  }
}

/** The emulator's conveniences: tokens for demo users and a clock that can be moved forward. */
export async function devRoutes(app: FastifyInstance, options: DevRoutesOptions): Promise<void> {
  const { services, clock } = options;
  app.setErrorHandler((error, request, reply) => sendGraphError(error, request, reply));
  app.addHook('onRequest', async (request) => {
    request.clientRequestId = request.id;
  });

  app.post<{ Body: Type.Static<typeof TokenBody> }>('/dev/token', { schema: { body: TokenBody } }, async (request) => {
    const user = await findUser(services.store.db, request.body.username);
    if (!user) throw new ApiError('PRINCIPAL_NOT_FOUND', `No user '${request.body.username}' in the directory.`);
    const tenant = await tenantInfo(services.store.db);
    const token = await signDevToken(options.signingKey, options.issuer, {
      userId: user.id, upn: user.user_principal_name, name: user.display_name, tenantId: tenant?.id ?? null,
      scopes: request.body.scopes ?? ALL_DEV_SCOPES,
    });
    return { token_type: 'Bearer', access_token: token, expires_in: DEV_TOKEN_LIFETIME_SECONDS };
  });

  app.get('/dev/clock', async () => ({ now: clock.now(), offsetMs: clock.offset }));

  app.post<{ Body: Type.Static<typeof ClockBody> }>('/dev/clock', { schema: { body: ClockBody } }, async (request) => {
    const { advance, set } = request.body;
    if ((advance === undefined) === (set === undefined)) throw new ApiError('BAD_REQUEST', 'Give exactly one of "advance" (an ISO 8601 duration such as "PT8H") or "set" (an ISO 8601 instant).');
    // Another instance on this store may have moved the shared clock since this one last looked.
    clock.follow(await readClockOffset(services.store.db));
    let offset: number;
    if (advance !== undefined) {
      const ms = parseDuration(advance);
      if (ms === null) throw new ApiError('BAD_REQUEST', `"advance" must be an ISO 8601 duration such as "PT8H" or "P1D", not '${advance}'.`);
      offset = clock.offsetAfter(ms);
    } else {
      offset = clock.offsetToReach(set!);
    }
    // Stored before the clock takes it: a move that cannot be saved leaves this instance where the others are.
    await services.store.transaction((tx) => saveClockOffset(tx, offset));
    clock.follow(offset);
    await options.runTimers();
    return { now: clock.now(), offsetMs: clock.offset };
  });
}
