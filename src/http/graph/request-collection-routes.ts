import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { listPendingForCaller } from '../../app/approvals.js';
import { type RequestScope, type RequestView, cancelRequest, getRequestForCaller, listRequestsForCaller } from '../../app/requests.js';
import type { Family } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { withExpansion, withExpansions } from './expansions.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { type EntityType, type ODataQuery, decodeSkipToken, odataQuery, pageSizeOf, parseFunctionCall, servedEntity, storePage } from './odata.js';

/** One Graph collection of requests for a family: where it lives and how its items look. */
export interface RequestCollection {
  readonly family: Family;
  /** Route path, e.g. `/identityGovernance/privilegedAccess/group/assignmentScheduleRequests`. */
  readonly path: string;
  /** `filterByCurrentUser(on=…)` values this collection documents, each mapped to what it lists. */
  readonly filterOn: Readonly<Record<string, RequestScope | 'approver'>>;
  readonly type: EntityType;
  readonly shape: (view: RequestView, request: FastifyRequest) => Record<string, unknown>;
}

/**
 * The order the store lists requests in (requests-repo.ts, eligibility-requests-repo.ts), which
 * `$orderby` may ask for; the approver's lists follow the inbox's order, which no property shows.
 */
export const NEWEST_FIRST = ['createdDateTime desc', 'id desc'];

export const EntityKey = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

type RequestPosition = { createdAt: string; id: string };
type InboxPosition = { createdAt: string; approvalId: string };
const isRequestPosition = (v: unknown): v is RequestPosition => typeof v === 'object' && v !== null
  && typeof (v as RequestPosition).createdAt === 'string' && typeof (v as RequestPosition).id === 'string';
const isInboxPosition = (v: unknown): v is InboxPosition => typeof v === 'object' && v !== null
  && typeof (v as InboxPosition).createdAt === 'string' && typeof (v as InboxPosition).approvalId === 'string';

export function entitySet(where: RequestCollection): string {
  return where.path.replace(/^\//, '');
}

/** `{ "@odata.context": …/$entity, …shape }`, as a created or read request is answered. */
export async function requestEntity(request: FastifyRequest, deps: GraphDeps, where: RequestCollection, view: RequestView, q: ODataQuery): Promise<Record<string, unknown>> {
  const item = { '@odata.context': odataContext(request, deps.version, `${entitySet(where)}/$entity`), ...where.shape(view, request) };
  return servedEntity(await withExpansion(deps.services.store.db, q, item), q);
}

async function listBody(request: FastifyRequest, deps: GraphDeps, where: RequestCollection, q: ODataQuery, items: readonly RequestView[], next: object | null | undefined) {
  const shaped = await withExpansions(deps.services.store.db, q, items.map((v) => where.shape(v, request)));
  return storePage(request, odataContext(request, deps.version, entitySet(where)), shaped, q, next);
}

/**
 * The reads and the cancel action every Graph request collection shares: list (own requests, or
 * all for administrators), get by id, `filterByCurrentUser(on=…)` and `POST {id}/cancel`.
 * Creating a request differs per family and stays with the family's routes.
 */
export function registerRequestCollection(app: FastifyInstance, deps: GraphDeps, where: RequestCollection): void {
  const families = [where.family];

  app.get(where.path, async (request) => {
    const q = odataQuery(request, where.type, NEWEST_FIRST);
    const page = await listRequestsForCaller(deps.services, callerOf(request), {
      families, scope: 'all', limit: pageSizeOf(q), after: decodeSkipToken(request.query as Record<string, unknown>, isRequestPosition),
    });
    return listBody(request, deps, where, q, page.items, page.next);
  });

  app.get<{ Params: { id: string } }>(`${where.path}/:id`, { schema: { params: EntityKey } }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    const q = odataQuery(request, where.type, call && where.filterOn[call.on ?? ''] !== 'approver' ? NEWEST_FIRST : []);
    if (call) {
      const on = call.on ?? '';
      const scope = Object.hasOwn(where.filterOn, on) ? where.filterOn[on] : undefined;
      if (!scope) {
        throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on=${Object.keys(where.filterOn).map((k) => `'${k}'`).join(', ')}, not on='${on}'.`);
      }
      if (scope === 'approver') {
        const page = await listPendingForCaller(deps.services, callerOf(request), families, pageSizeOf(q), decodeSkipToken(query, isInboxPosition));
        return listBody(request, deps, where, q, page.items, page.next);
      }
      const page = await listRequestsForCaller(deps.services, callerOf(request), { families, scope, limit: pageSizeOf(q), after: decodeSkipToken(query, isRequestPosition) });
      return listBody(request, deps, where, q, page.items, page.next);
    }
    const view = await getRequestForCaller(deps.services, callerOf(request), request.params.id, families);
    return requestEntity(request, deps, where, view, q);
  });

  app.post<{ Params: { id: string } }>(`${where.path}/:id/cancel`, { schema: { params: EntityKey } }, async (request, reply) => {
    await cancelRequest(deps.services, actorOf(request), callerOf(request), request.params.id, families);
    return reply.code(204).send();
  });
}
