import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { listPendingForCaller } from '../../app/approvals.js';
import { type RequestScope, type RequestView, cancelRequest, getRequestForCaller, listRequestsForCaller } from '../../app/requests.js';
import { type Family, REQUEST_STATUSES, type RequestStatus } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { type CreatedPosition, isCreatedPosition } from '../keyset-position.js';
import { withExpansion, withExpansions } from './expansions.js';
import { valuesAllowed } from './odata-filter.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { type CollectionBody, type EntityType, type ODataQuery, decodeSkipToken, keysetPage, odataQuery, parseFunctionCall, servedEntity } from './odata.js';

/** One Graph collection of requests for a family: where it lives and how its items look. */
export interface RequestCollection {
  readonly family: Family;
  /** Route path, e.g. `/identityGovernance/privilegedAccess/group/assignmentScheduleRequests`. */
  readonly path: string;
  /** `filterByCurrentUser(on=…)` values this collection documents, each mapped to what it lists. */
  readonly filterOn: Readonly<Record<string, RequestScope | 'approver'>>;
  readonly type: EntityType;
  readonly shape: (view: RequestView, request: FastifyRequest) => Record<string, unknown>;
  /** The properties the shape derives from the stored status, and how: `$filter` on them narrows the store's read. */
  readonly statusProperties: StatusProperties;
}

/**
 * The order the store lists requests in (requests-repo.ts, eligibility-requests-repo.ts), which
 * `$orderby` may ask for; the approver's lists follow the inbox's order, which no property shows.
 */
export const NEWEST_FIRST = ['createdDateTime desc', 'id desc'];

export const EntityKey = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

type InboxPosition = { createdAt: string; approvalId: string };
export const isInboxPosition = (v: unknown): v is InboxPosition => typeof v === 'object' && v !== null
  && typeof (v as InboxPosition).createdAt === 'string' && typeof (v as InboxPosition).approvalId === 'string';
/** Where a request list goes on after `view` (requests-repo.ts orders by creation, then id). */
const requestPosition = (view: RequestView): CreatedPosition => ({ createdAt: view.request.request.createdAt, id: view.request.request.id });
/** Where the approver's list goes on after `view`: the inbox keeps each approval under its request's creation time. */
export const inboxPosition = (view: RequestView): InboxPosition => ({ createdAt: view.request.request.createdAt, approvalId: view.request.request.id });

export function entitySet(where: RequestCollection): string {
  return where.path.replace(/^\//, '');
}

/** A page of the collection's requests of `scope`, or of those waiting for the caller's approval. */
function listBody(request: FastifyRequest, deps: GraphDeps, where: RequestCollection, q: ODataQuery, scope: RequestScope | 'approver'): Promise<CollectionBody> {
  const context = odataContext(request, deps.version, entitySet(where));
  const query = request.query as Record<string, unknown>;
  const caller = callerOf(request);
  const families = [where.family];
  const serve = (items: readonly RequestView[]) => withExpansions(deps.services.store.db, q, items.map((v) => where.shape(v, request)));
  if (scope === 'approver') {
    return keysetPage(request, context, q, {
      start: decodeSkipToken(query, isInboxPosition), positionOf: inboxPosition, serve,
      read: (after, limit) => listPendingForCaller(deps.services, caller, families, limit, after),
    });
  }
  const statuses = statusesKept(q, where.statusProperties);
  return keysetPage(request, context, q, {
    start: decodeSkipToken(query, isCreatedPosition), positionOf: requestPosition, serve,
    read: (after, limit) => listRequestsForCaller(deps.services, caller, { families, scope, limit, after, ...(statuses ? { statuses } : {}) }),
  });
}

/** Served properties a shape derives from a request's stored status, each with the value it serves for a status. */
export type StatusProperties = Readonly<Record<string, (status: RequestStatus) => string>>;

/** PIM serves `status` as stored. */
export const PIM_STATUS: StatusProperties = { status: (status) => status };

/**
 * The stored statuses `$filter=status eq 'PendingApproval'` (or `in (…)`, or any property the shape
 * derives from the status, joined by `and` at the top level) keeps: the store reads only those, by
 * index, so a list of what is pending stays fast however much history there is. Values compare in
 * any letter case, as the filter itself compares them.
 */
function statusesKept(q: ODataQuery, properties: StatusProperties): readonly RequestStatus[] | undefined {
  let kept: readonly RequestStatus[] | undefined;
  for (const [property, served] of Object.entries(properties)) {
    const values = valuesAllowed(q.filter, property);
    if (!values) continue;
    const named = REQUEST_STATUSES.filter((status) => values.some((v) => typeof v === 'string' && v.toLowerCase() === served(status).toLowerCase()));
    kept = kept ? kept.filter((status) => named.includes(status)) : named;
  }
  return kept;
}

/** `{ "@odata.context": …/$entity, …shape }`, as a created or read request is answered. */
export async function requestEntity(request: FastifyRequest, deps: GraphDeps, where: RequestCollection, view: RequestView, q: ODataQuery): Promise<Record<string, unknown>> {
  const item = { '@odata.context': odataContext(request, deps.version, `${entitySet(where)}/$entity`), ...where.shape(view, request) };
  return servedEntity(await withExpansion(deps.services.store.db, q, item), q);
}


/**
 * The reads and the cancel action every Graph request collection shares: list (own requests, or
 * all for administrators), get by id, `filterByCurrentUser(on=…)` and `POST {id}/cancel`.
 * Creating a request differs per family and stays with the family's routes.
 */
export function registerRequestCollection(app: FastifyInstance, deps: GraphDeps, where: RequestCollection): void {
  const families = [where.family];

  app.get(where.path, async (request) => {
    return listBody(request, deps, where, odataQuery(request, where.type, NEWEST_FIRST), 'all');
  });

  app.get<{ Params: { id: string } }>(`${where.path}/:id`, { schema: { params: EntityKey } }, async (request) => {
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    const q = odataQuery(request, where.type, call && where.filterOn[call.on ?? ''] !== 'approver' ? NEWEST_FIRST : []);
    if (call) {
      const on = call.on ?? '';
      const scope = Object.hasOwn(where.filterOn, on) ? where.filterOn[on] : undefined;
      if (!scope) {
        throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on=${Object.keys(where.filterOn).map((k) => `'${k}'`).join(', ')}, not on='${on}'.`);
      }
      return listBody(request, deps, where, q, scope);
    }
    const view = await getRequestForCaller(deps.services, callerOf(request), request.params.id, families);
    return requestEntity(request, deps, where, view, q);
  });

  app.post<{ Params: { id: string } }>(`${where.path}/:id/cancel`, { schema: { params: EntityKey } }, async (request, reply) => {
    await cancelRequest(deps.services, actorOf(request), callerOf(request), request.params.id, families);
    return reply.code(204).send();
  });
}
