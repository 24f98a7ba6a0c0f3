import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type RequestScope, cancelRequest, getRequestForCaller } from '../../app/requests.js';
import type { Family } from '../../domain/request.js';
import { listResources } from '../../store/policies-repo.js';
import { ApiError } from '../api-error.js';
import { INSTANCE_ORDER, registerAssignmentLists } from './assignment-list-routes.js';
import { withExpansion, withExpansions } from './expansions.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { type ODataQuery, odataQuery, parseFunctionCall, servedEntity, wholeList } from './odata.js';
import { NEWEST_FIRST, PIM_STATUS, requestListPage } from './request-collection-routes.js';
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

/** The role requests of `scope`, or those waiting for the caller's approval. */
function listResponse(request: FastifyRequest, deps: GraphDeps, q: ODataQuery, scope: RequestScope | 'approver') {
  return requestListPage(deps, request, odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests'), q, families, scope,
    (items) => withExpansions(deps.services.store.db, q, items.map((v) => roleRequestShape(v.request))), PIM_STATUS);
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
    return listResponse(request, deps, odataQuery(request, ROLE_REQUEST, NEWEST_FIRST), 'all');
  });

  app.get<{ Params: { id: string } }>(`${requests}/:id`, { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request) => {
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    const q = odataQuery(request, ROLE_REQUEST, call && call.on !== 'approver' ? NEWEST_FIRST : []);
    if (call) {
      const on = call.on ?? '';
      if (on !== 'principal' && on !== 'createdBy' && on !== 'approver') throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on='principal', 'createdBy' or 'approver', not '${on}'.`);
      return listResponse(request, deps, q, on);
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
