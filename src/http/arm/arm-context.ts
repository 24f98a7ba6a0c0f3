import type { FastifyRequest } from 'fastify';
import type { Approval } from '../../domain/approval.js';
import type { Services } from '../../app/services.js';
import { getUsers } from '../../directory/directory-repo.js';
import { ApiError } from '../api-error.js';
import type { CallerContext } from '../fastify-types.js';
import { namedUserIds } from '../graph/graph-shapes.js';
import { parseTop, queryOption, withOption } from '../graph/odata.js';
import type { ArmShapeContext } from './arm-shapes.js';
import { type CreatedPosition, isCreatedPosition } from '../keyset-position.js';

/** What one ARM operation's handler receives once routing, api-version, auth and body checks passed. */
export interface ArmContext<Body = unknown> {
  readonly request: FastifyRequest;
  readonly services: Services;
  /** The addressed scope ('' for the tenant), with a leading slash and no trailing one. */
  readonly scope: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Body;
}

export interface ArmResult {
  readonly status: number;
  readonly body: unknown;
}

export function callerOf(ctx: ArmContext): CallerContext {
  // The ARM plugin authenticates every request before it is dispatched.
  return ctx.request.caller!;
}

export function actorOf(ctx: ArmContext): { userId: string; correlationId: string; clientIp: string } {
  return { userId: callerOf(ctx).userId, correlationId: ctx.request.clientRequestId, clientIp: ctx.request.ip };
}

export async function shapeContextFor(ctx: ArmContext, approvals: readonly Approval[]): Promise<ArmShapeContext> {
  return { callerId: callerOf(ctx).userId, now: ctx.services.clock.now(), users: await getUsers(ctx.services.store.db, namedUserIds(approvals)) };
}

/** An OData option ARM reads (`$top`, `$filter`, `$skipToken`) in any letter case; ARM's always carry their `$`. */
function queryValue(ctx: ArmContext, name: string): string | undefined {
  return queryOption(ctx.request.query as Record<string, unknown>, name, { bare: false });
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSize(ctx: ArmContext): number {
  return parseTop(queryValue(ctx, 'top'), MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
}

export function filterOf(ctx: ArmContext): string | undefined {
  return queryValue(ctx, 'filter');
}

/** `$skipToken` is opaque to clients: base64url JSON of the keyset position. */
export function skipToken(ctx: ArmContext): CreatedPosition | null {
  const token = queryValue(ctx, 'skiptoken');
  if (token === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isCreatedPosition(value)) return value;
  } catch { /* reported below */ }
  throw new ApiError('BAD_REQUEST', 'The $skipToken is invalid; follow nextLink as given.');
}

/** The absolute URL of the next page: this request's URL, api-version and filter kept, with the new token. */
export function nextLink(ctx: ArmContext, position: CreatedPosition): string {
  return withOption(ctx.request, 'skiptoken', '$skipToken', Buffer.from(JSON.stringify(position)).toString('base64url'));
}
