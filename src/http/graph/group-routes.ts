import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Family } from '../../domain/request.js';
import { listActiveAssignments } from '../../store/assignments-repo.js';
import { ApiError } from '../api-error.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { groupAssignmentInstanceShape, groupAssignmentScheduleShape, groupRequestShape } from './group-shapes.js';
import { applyFilter, applySelect, collection } from './odata.js';
import { type RequestCollection, registerRequestCollection, requestEntity } from './request-collection-routes.js';
import { PIM_ACTIONS, pickAction, submitPimRequest } from './pim-actions.js';
import { PimRequestFields, pimSubmitFields } from './request-input.js';

const FAMILY: Family = 'group';
const BASE = '/identityGovernance/privilegedAccess/group';
/** Listing reads are bounded; these lists are per caller (or per tenant for administrators). */
const LIST_LIMIT = 1000;

export const GROUP_REQUESTS: RequestCollection = {
  family: FAMILY,
  path: `${BASE}/assignmentScheduleRequests`,
  filterOn: { principal: 'principal', createdBy: 'createdBy', approver: 'approver' },
  shape: (view) => groupRequestShape(view.request),
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
    const body = request.body;
    const view = await submitPimRequest(deps, request, {
      target: { family: FAMILY, resourceId: body.groupId.toLowerCase(), scope: pickAccessId(body.accessId) },
      action: pickAction(body.action, PIM_ACTIONS), ...pimSubmitFields(body),
    }, body.isValidationOnly === true);
    return reply.code(201).send({ ...requestEntity(request, deps, GROUP_REQUESTS, view), isValidationOnly: body.isValidationOnly === true });
  });

  registerRequestCollection(app, deps, GROUP_REQUESTS);

  for (const [kind, shape] of [['assignmentScheduleInstances', groupAssignmentInstanceShape], ['assignmentSchedules', groupAssignmentScheduleShape]] as const) {
    app.get(`${BASE}/${kind}`, async (request) => {
      const caller = callerOf(request);
      const query = request.query as Record<string, unknown>;
      const rows = await listActiveAssignments(deps.services.store.db, {
        family: FAMILY, activeAt: deps.services.clock.now(), limit: LIST_LIMIT, ...(caller.isAdmin ? {} : { principalId: caller.userId }),
      });
      return collection(odataContext(request, deps.version, `identityGovernance/privilegedAccess/group/${kind}`),
        applySelect(applyFilter(rows.map(shape), query), query), null);
    });
  }
}
