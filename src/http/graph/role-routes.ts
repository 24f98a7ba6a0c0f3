import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Family } from '../../domain/request.js';
import { listResources } from '../../store/policies-repo.js';
import { ApiError } from '../api-error.js';
import { INSTANCE_ORDER, registerAssignmentLists } from './assignment-list-routes.js';
import { type GraphDeps, odataContext } from './graph-context.js';
import { odataQuery, wholeList } from './odata.js';
import { PIM_STATUS, type RequestCollection, registerRequestCollection, requestEntity } from './request-collection-routes.js';
import { PIM_ACTIONS, pickAction, submitPimRequest } from './pim-actions.js';
import { PimRequestFields, pimSubmitFields } from './request-input.js';
import {
  ROLE_ASSIGNMENT_INSTANCE, ROLE_ASSIGNMENT_SCHEDULE, ROLE_DEFINITION, ROLE_REQUEST,
  roleAssignmentInstanceShape, roleAssignmentScheduleShape, roleDefinitionShape, roleRequestShape,
} from './role-shapes.js';

const FAMILY: Family = 'directoryRole';
const BASE = '/roleManagement/directory';

export const RoleRequestBody = Type.Object({
  ...PimRequestFields,
  roleDefinitionId: Type.String({ minLength: 1, maxLength: 100 }),
  directoryScopeId: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
  appScopeId: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
}, { additionalProperties: false });
type RoleRequestBody = Type.Static<typeof RoleRequestBody>;

const ROLE_REQUESTS: RequestCollection = {
  family: FAMILY,
  path: `${BASE}/roleAssignmentScheduleRequests`,
  filterOn: { principal: 'principal', createdBy: 'createdBy', approver: 'approver' },
  type: ROLE_REQUEST,
  shape: (view) => roleRequestShape(view.request),
  statusProperties: PIM_STATUS,
};

export function registerRoleRoutes(app: FastifyInstance, deps: GraphDeps): void {
  app.post<{ Body: RoleRequestBody }>(ROLE_REQUESTS.path, { schema: { body: RoleRequestBody } }, async (request, reply) => {
    const q = odataQuery(request, ROLE_REQUEST);
    const body = request.body;
    const action = pickAction(body.action, PIM_ACTIONS);
    if (body.appScopeId) throw new ApiError('BAD_REQUEST', 'appScopeId is not supported; use directoryScopeId.');
    const view = await submitPimRequest(deps, request, {
      target: { family: FAMILY, resourceId: body.roleDefinitionId.toLowerCase(), scope: body.directoryScopeId ?? '/' },
      action, ...pimSubmitFields(body),
    }, body.isValidationOnly === true);
    return reply.code(201).send({ ...await requestEntity(request, deps, ROLE_REQUESTS, view, q), isValidationOnly: body.isValidationOnly === true });
  });

  registerRequestCollection(app, deps, ROLE_REQUESTS);

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
