import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type RequestScope, type RequestView, cancelRequest, getRequestForCaller, listRequestsForCaller } from '../../app/requests.js';
import { listPendingForCaller } from '../../app/approvals.js';
import type { Family } from '../../domain/request.js';
import { listResources } from '../../store/policies-repo.js';
import { ApiError } from '../api-error.js';
import { INSTANCE_ORDER, registerAssignmentLists } from './assignment-list-routes.js';
import { withExpansion, withExpansions } from './expansions.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { type ODataQuery, decodeSkipToken, odataQuery, pageSizeOf, parseFunctionCall, servedEntity, storePage, wholeList } from './odata.js';
import { NEWEST_FIRST } from './request-collection-routes.js';
import { PIM_ACTIONS, pickAction, submitPimRequest } from './pim-actions.js';
import { PimRequestFields, pimSubmitFields } from './request-input.js';
import {
  ROLE_ASSIGNMENT_INSTANCE, ROLE_ASSIGNMENT_SCHEDULE, ROLE_DEFINITION, ROLE_REQUEST,
  roleAssignmentInstanceShape, roleAssignmentScheduleShape, roleDefinitionShape, roleRequestShape,
} from './role-shapes.js';

const FAMILY: Family = 'directoryRole';
const BASE = '/roleManagement/directory';
const families = [FAMILY];

export const RoleRequestBody = Type.Object({
  ...PimRequestFields,
  roleDefinitionId: Type.String({ minLength: 1, maxLength: 100 }),
  directoryScopeId: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
  appScopeId: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
}, { additionalProperties: false });
type RoleRequestBody = Type.Static<typeof RoleRequestBody>;

type Position = { createdAt: string; id: string };
const isPosition = (v: unknown): v is Position => typeof v === 'object' && v !== null && typeof (v as Position).createdAt === 'string' && typeof (v as Position).id === 'string';

async function listResponse(request: FastifyRequest, deps: GraphDeps, q: ODataQuery, items: RequestView[], next: object | null | undefined) {
  const shaped = await withExpansions(deps.services.store.db, q, items.map((v) => roleRequestShape(v.request)));
  return storePage(request, odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests'), shaped, q, next);
}

export function registerRoleRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const requests = `${BASE}/roleAssignmentScheduleRequests`;

  app.post<{ Body: RoleRequestBody }>(requests, { schema: { body: RoleRequestBody } }, async (request, reply) => {
    const q = odataQuery(request, ROLE_REQUEST);
    const body = request.body;
    const action = pickAction(body.action, PIM_ACTIONS);
    if (body.appScopeId) throw new ApiError('BAD_REQUEST', 'appScopeId is not supported; use directoryScopeId.');
    const view = await submitPimRequest(deps, request, {
      target: { family: FAMILY, resourceId: body.roleDefinitionId.toLowerCase(), scope: body.directoryScopeId ?? '/' },
      action, ...pimSubmitFields(body),
    }, body.isValidationOnly === true);
    return reply.code(201).send(servedEntity(await withExpansion(deps.services.store.db, q, {
      '@odata.context': odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests/$entity'),
      ...roleRequestShape(view.request),
      isValidationOnly: body.isValidationOnly === true,
    }), q));
  });

  app.get(requests, async (request) => {
    const q = odataQuery(request, ROLE_REQUEST, NEWEST_FIRST);
    const page = await listRequestsForCaller(deps.services, callerOf(request), {
      families, scope: 'all', limit: pageSizeOf(q), after: decodeSkipToken(request.query as Record<string, unknown>, isPosition),
    });
    return listResponse(request, deps, q, page.items, page.next);
  });

  app.get<{ Params: { id: string } }>(`${requests}/:id`, { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    const q = odataQuery(request, ROLE_REQUEST, call && call.on !== 'approver' ? NEWEST_FIRST : []);
    if (call) {
      const on = call.on ?? '';
      if (on === 'approver') {
        const page = await listPendingForCaller(deps.services, callerOf(request), families, pageSizeOf(q), decodeSkipToken(query, (v): v is { createdAt: string; approvalId: string } => typeof v === 'object' && v !== null && 'approvalId' in v));
        return listResponse(request, deps, q, page.items.map((i) => ({ request: i.request, approval: i.approval })), page.next);
      }
      if (on !== 'principal' && on !== 'createdBy') throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on='principal', 'createdBy' or 'approver', not '${on}'.`);
      const page = await listRequestsForCaller(deps.services, callerOf(request), { families, scope: on as RequestScope, limit: pageSizeOf(q), after: decodeSkipToken(query, isPosition) });
      return listResponse(request, deps, q, page.items, page.next);
    }
    const view = await getRequestForCaller(deps.services, callerOf(request), request.params.id, families);
    return servedEntity(await withExpansion(deps.services.store.db, q, {
      '@odata.context': odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests/$entity'), ...roleRequestShape(view.request),
    }), q);
  });

  app.post<{ Params: { id: string } }>(`${requests}/:id/cancel`, { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request, reply) => {
    await cancelRequest(deps.services, actorOf(request), callerOf(request), request.params.id, families);
    return reply.code(204).send();
  });

  registerAssignmentLists(app, deps, FAMILY, [
    { path: `${BASE}/roleAssignmentScheduleInstances`, type: ROLE_ASSIGNMENT_INSTANCE, shape: roleAssignmentInstanceShape, order: INSTANCE_ORDER },
    { path: `${BASE}/roleAssignmentSchedules`, type: ROLE_ASSIGNMENT_SCHEDULE, shape: roleAssignmentScheduleShape },
  ]);

  app.get(`${BASE}/roleDefinitions`, async (request) => {
    const q = odataQuery(request, ROLE_DEFINITION, ['displayName']);
    const rows = await listResources(deps.services.store.db, FAMILY);
    return wholeList(request, odataContext(request, deps.version, 'roleManagement/directory/roleDefinitions'), rows.map(roleDefinitionShape), q);
  });
}
