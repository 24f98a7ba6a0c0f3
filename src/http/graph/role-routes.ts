import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type RequestScope, type RequestView, cancelRequest, getRequestForCaller, listRequestsForCaller } from '../../app/requests.js';
import { listPendingForCaller } from '../../app/approvals.js';
import type { Family } from '../../domain/request.js';
import { listActiveAssignments } from '../../store/assignments-repo.js';
import { listResources } from '../../store/policies-repo.js';
import { ApiError } from '../api-error.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { roleRequestShape } from './graph-shapes.js';
import { applyFilter, applySelect, collection, decodeSkipToken, encodeSkipToken, nextLink, pageSize, parseFunctionCall, selectOne } from './odata.js';
import { PIM_ACTIONS, pickAction, submitPimRequest } from './pim-actions.js';
import { PimRequestFields, pimSubmitFields } from './request-input.js';

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

function listResponse(request: FastifyRequest, deps: GraphDeps, items: RequestView[], next: object | null | undefined) {
  const query = request.query as Record<string, unknown>;
  const shaped = items.map((v) => roleRequestShape(v.request));
  return collection(odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests'),
    applySelect(applyFilter(shaped, query), query), next ? nextLink(request, encodeSkipToken(next)) : null);
}

export function registerRoleRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const requests = `${BASE}/roleAssignmentScheduleRequests`;

  app.post<{ Body: RoleRequestBody }>(requests, { schema: { body: RoleRequestBody } }, async (request, reply) => {
    const body = request.body;
    const action = pickAction(body.action, PIM_ACTIONS);
    if (body.appScopeId) throw new ApiError('BAD_REQUEST', 'appScopeId is not supported; use directoryScopeId.');
    const view = await submitPimRequest(deps, request, {
      target: { family: FAMILY, resourceId: body.roleDefinitionId.toLowerCase(), scope: body.directoryScopeId ?? '/' },
      action, ...pimSubmitFields(body),
    }, body.isValidationOnly === true);
    return reply.code(201).send({
      '@odata.context': odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests/$entity'),
      ...roleRequestShape(view.request),
      isValidationOnly: body.isValidationOnly === true,
    });
  });

  app.get(requests, async (request) => {
    const query = request.query as Record<string, unknown>;
    const page = await listRequestsForCaller(deps.services, callerOf(request), { families, scope: 'all', limit: pageSize(query), after: decodeSkipToken(query, isPosition) });
    return listResponse(request, deps, page.items, page.next);
  });

  app.get<{ Params: { id: string } }>(`${requests}/:id`, { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser');
    if (call) {
      const on = call.on ?? '';
      if (on === 'approver') {
        const page = await listPendingForCaller(deps.services, callerOf(request), families, pageSize(query), decodeSkipToken(query, (v): v is { createdAt: string; approvalId: string } => typeof v === 'object' && v !== null && 'approvalId' in v));
        return listResponse(request, deps, page.items.map((i) => ({ request: i.request, approval: i.approval })), page.next);
      }
      if (on !== 'principal' && on !== 'createdBy') throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on='principal', 'createdBy' or 'approver', not '${on}'.`);
      const page = await listRequestsForCaller(deps.services, callerOf(request), { families, scope: on as RequestScope, limit: pageSize(query), after: decodeSkipToken(query, isPosition) });
      return listResponse(request, deps, page.items, page.next);
    }
    const view = await getRequestForCaller(deps.services, callerOf(request), request.params.id, families);
    return selectOne({ '@odata.context': odataContext(request, deps.version, 'roleManagement/directory/roleAssignmentScheduleRequests/$entity'), ...roleRequestShape(view.request) }, query);
  });

  app.post<{ Params: { id: string } }>(`${requests}/:id/cancel`, { schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } }, async (request, reply) => {
    await cancelRequest(deps.services, actorOf(request), callerOf(request), request.params.id, families);
    return reply.code(204).send();
  });

  // Active assignments produced by granted requests (and standing ones), in Graph's instance and schedule shapes.
  for (const kind of ['roleAssignmentScheduleInstances', 'roleAssignmentSchedules'] as const) {
    app.get(`${BASE}/${kind}`, async (request) => {
      const caller = callerOf(request);
      const query = request.query as Record<string, unknown>;
      const rows = await listActiveAssignments(deps.services.store.db, {
        family: FAMILY, activeAt: deps.services.clock.now(), limit: 1000, ...(caller.isAdmin ? {} : { principalId: caller.userId }),
      });
      const shaped = rows.map((a) => kind === 'roleAssignmentScheduleInstances'
        ? {
          id: a.id, principalId: a.principal_id, roleDefinitionId: a.resource_id, directoryScopeId: a.scope, appScopeId: null,
          startDateTime: a.start_at, endDateTime: a.end_at, assignmentType: a.request_id ? 'Activated' : 'Assigned', memberType: 'Direct',
          roleAssignmentOriginId: a.id, roleAssignmentScheduleId: a.request_id ?? a.id,
        }
        : {
          id: a.request_id ?? a.id, principalId: a.principal_id, roleDefinitionId: a.resource_id, directoryScopeId: a.scope, appScopeId: null,
          createdUsing: a.request_id, createdDateTime: a.created_at, modifiedDateTime: null, status: 'Provisioned',
          assignmentType: a.request_id ? 'Activated' : 'Assigned', memberType: 'Direct',
          scheduleInfo: { startDateTime: a.start_at, recurrence: null, expiration: { type: a.end_at ? 'afterDateTime' : 'noExpiration', endDateTime: a.end_at, duration: null } },
        });
      return collection(odataContext(request, deps.version, `roleManagement/directory/${kind}`), applySelect(applyFilter(shaped, query), query), null);
    });
  }

  app.get(`${BASE}/roleDefinitions`, async (request) => {
    const query = request.query as Record<string, unknown>;
    const rows = await listResources(deps.services.store.db, FAMILY);
    const shaped = rows.map((r) => ({ id: r.id, templateId: r.id, displayName: r.display_name, description: r.description, isBuiltIn: true, isEnabled: true }));
    return collection(odataContext(request, deps.version, 'roleManagement/directory/roleDefinitions'), applySelect(applyFilter(shaped, query), query), null);
  });
}
