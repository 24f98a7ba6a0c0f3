import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Family } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { INSTANCE_ORDER, registerAssignmentLists } from './assignment-list-routes.js';
import type { GraphDeps } from './graph-context.js';
import {
  GROUP_ASSIGNMENT_INSTANCE, GROUP_ASSIGNMENT_SCHEDULE, GROUP_REQUEST, groupAssignmentInstanceShape, groupAssignmentScheduleShape, groupRequestShape,
} from './group-shapes.js';
import { odataQuery } from './odata.js';
import { PIM_STATUS, type RequestCollection, registerRequestCollection, requestEntity } from './request-collection-routes.js';
import { PIM_ACTIONS, pickAction, submitPimRequest } from './pim-actions.js';
import { PimRequestFields, pimSubmitFields } from './request-input.js';

const FAMILY: Family = 'group';
const BASE = '/identityGovernance/privilegedAccess/group';

export const GROUP_REQUESTS: RequestCollection = {
  family: FAMILY,
  path: `${BASE}/assignmentScheduleRequests`,
  filterOn: { principal: 'principal', createdBy: 'createdBy', approver: 'approver' },
  type: GROUP_REQUEST,
  shape: (view) => groupRequestShape(view.request),
  statusProperties: PIM_STATUS,
};

export const GroupRequestBody = Type.Object({
  ...PimRequestFields,
  accessId: Type.String({ maxLength: 20 }),
  groupId: Type.String({ minLength: 1, maxLength: 100 }),
}, { additionalProperties: false });
type GroupRequestBody = Type.Static<typeof GroupRequestBody>;

const ACCESS_IDS = ['member', 'owner'] as const;

export function pickAccessId(value: string): (typeof ACCESS_IDS)[number] {
  const found = ACCESS_IDS.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new ApiError('BAD_REQUEST', `accessId '${value}' is not supported; supported: ${ACCESS_IDS.join(', ')}.`);
  return found;
}

/** PIM for groups: membership and ownership activations, on the same engine as roles. */
export function registerGroupRoutes(app: FastifyInstance, deps: GraphDeps): void {
  app.post<{ Body: GroupRequestBody }>(GROUP_REQUESTS.path, { schema: { body: GroupRequestBody } }, async (request, reply) => {
    const q = odataQuery(request, GROUP_REQUEST);
    const body = request.body;
    const view = await submitPimRequest(deps, request, {
      target: { family: FAMILY, resourceId: body.groupId.toLowerCase(), scope: pickAccessId(body.accessId) },
      action: pickAction(body.action, PIM_ACTIONS), ...pimSubmitFields(body),
    }, body.isValidationOnly === true);
    return reply.code(201).send({ ...await requestEntity(request, deps, GROUP_REQUESTS, view, q), isValidationOnly: body.isValidationOnly === true });
  });

  registerRequestCollection(app, deps, GROUP_REQUESTS);

  registerAssignmentLists(app, deps, FAMILY, [
    { path: `${BASE}/assignmentScheduleInstances`, type: GROUP_ASSIGNMENT_INSTANCE, shape: groupAssignmentInstanceShape, order: INSTANCE_ORDER },
    { path: `${BASE}/assignmentSchedules`, type: GROUP_ASSIGNMENT_SCHEDULE, shape: groupAssignmentScheduleShape },
  ]);
}
