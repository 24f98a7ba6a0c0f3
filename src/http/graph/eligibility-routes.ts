import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { type EligibilityChange, getEligibilityRequestForCaller, listEligibilitiesForCaller, listEligibilityRequestsForCaller, submitEligibilityRequest } from '../../app/eligibility.js';
import { ELIGIBILITY_ACTIONS } from '../../domain/eligibility.js';
import type { Family, Target } from '../../domain/request.js';
import type { EligibilityRequest } from '../../store/eligibility-requests-repo.js';
import { ApiError } from '../api-error.js';
import { GROUP_NAMES, ROLE_NAMES, type TargetNames, eligibilityInstanceShape, eligibilityRequestShape, eligibilityScheduleShape } from './eligibility-shapes.js';
import { withExpansion, withExpansions } from './expansions.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { GroupRequestBody, pickAccessId } from './group-routes.js';
import { RoleRequestBody } from './role-routes.js';
import { type ODataQuery, decodeSkipToken, keysetPage, odataQuery, parseFunctionCall, servedEntity, wholeList } from './odata.js';
import { pickAction } from './pim-actions.js';
import { EntityKey, NEWEST_FIRST } from './request-collection-routes.js';
import { pimSubmitFields } from './request-input.js';
import { type CreatedPosition, isCreatedPosition } from '../keyset-position.js';

/** Eligibility requests carry the same fields as the family's assignment requests. */
type AnyBody = Type.Static<typeof RoleRequestBody> | Type.Static<typeof GroupRequestBody>;

/** One family's eligibility collections: where they live, how a body names its target, how items look. */
interface EligibilityCollections {
  readonly family: Family;
  readonly base: string;
  readonly requests: string;
  readonly schedules: string;
  readonly instances: string;
  readonly body: typeof RoleRequestBody | typeof GroupRequestBody;
  readonly target: (body: AnyBody) => Target;
  readonly names: TargetNames;
}

const ROLES: EligibilityCollections = {
  family: 'directoryRole', base: 'roleManagement/directory',
  requests: 'roleEligibilityScheduleRequests', schedules: 'roleEligibilitySchedules', instances: 'roleEligibilityScheduleInstances',
  body: RoleRequestBody,
  target: (body) => {
    const b = body as Type.Static<typeof RoleRequestBody>;
    if (b.appScopeId) throw new ApiError('BAD_REQUEST', 'appScopeId is not supported; use directoryScopeId.');
    return { family: 'directoryRole', resourceId: b.roleDefinitionId.toLowerCase(), scope: b.directoryScopeId ?? '/' };
  },
  names: ROLE_NAMES,
};

const GROUPS: EligibilityCollections = {
  family: 'group', base: 'identityGovernance/privilegedAccess/group',
  requests: 'eligibilityScheduleRequests', schedules: 'eligibilitySchedules', instances: 'eligibilityScheduleInstances',
  body: GroupRequestBody,
  target: (body) => {
    const b = body as Type.Static<typeof GroupRequestBody>;
    return { family: 'group', resourceId: b.groupId.toLowerCase(), scope: pickAccessId(b.accessId) };
  },
  names: GROUP_NAMES,
};

function register(app: FastifyInstance, deps: GraphDeps, c: EligibilityCollections): void {
  const requestsPath = `/${c.base}/${c.requests}`;
  const context = (request: FastifyRequest, what: string) => odataContext(request, deps.version, `${c.base}/${what}`);
  const db = () => deps.services.store.db;
  const list = (request: FastifyRequest, q: ODataQuery, onlyOwn: boolean) => keysetPage(request, context(request, c.requests), q, {
    start: decodeSkipToken(request.query as Record<string, unknown>, isCreatedPosition),
    read: (after, limit) => listEligibilityRequestsForCaller(deps.services, callerOf(request), { family: c.family, onlyOwn, limit, after }),
    positionOf: (r: EligibilityRequest): CreatedPosition => ({ createdAt: r.createdAt, id: r.id }),
    serve: (items) => withExpansions(db(), q, items.map((r) => eligibilityRequestShape(c.names, r))),
  });
  const entity = async (request: FastifyRequest, q: ODataQuery, r: EligibilityRequest) =>
    servedEntity(await withExpansion(db(), q, { '@odata.context': context(request, `${c.requests}/$entity`), ...eligibilityRequestShape(c.names, r) }), q);

  app.post<{ Body: AnyBody }>(requestsPath, { schema: { body: c.body } }, async (request, reply) => {
    const q = odataQuery(request, c.names.types.request);
    const body = request.body;
    if (body.isValidationOnly) throw new ApiError('BAD_REQUEST', 'isValidationOnly is not supported for eligibility requests.');
    const change: EligibilityChange = {
      action: pickAction(body.action, ELIGIBILITY_ACTIONS), target: c.target(body),
      ...pimSubmitFields(body),
    };
    const created = await submitEligibilityRequest(deps.services, actorOf(request), callerOf(request), change);
    return reply.code(201).send(await entity(request, q, created));
  });

  app.get(requestsPath, async (request) => {
    return list(request, odataQuery(request, c.names.types.request, NEWEST_FIRST), false);
  });

  app.get<{ Params: { id: string } }>(`${requestsPath}/:id`, { schema: { params: EntityKey } }, async (request) => {
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    const q = odataQuery(request, c.names.types.request, call ? NEWEST_FIRST : []);
    if (call) {
      if (call.on !== 'principal') throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on='principal', not on='${call.on ?? ''}'.`);
      return list(request, q, true);
    }
    const found = await getEligibilityRequestForCaller(deps.services, callerOf(request), c.family, request.params.id);
    return entity(request, q, found);
  });

  for (const [path, kind] of [[c.schedules, 'schedules'], [c.instances, 'instances']] as const) {
    app.get(`/${c.base}/${path}`, async (request) => {
      // The store lists eligibilities oldest first (eligibilities-repo.ts); only schedules show when they were created.
      const q = kind === 'schedules' ? odataQuery(request, c.names.types.schedule, ['createdDateTime', 'id']) : odataQuery(request, c.names.types.instance);
      const rows = await listEligibilitiesForCaller(deps.services, callerOf(request), c.family, kind);
      const shaped = rows.map((e) => (kind === 'schedules' ? eligibilityScheduleShape(c.names, e) : eligibilityInstanceShape(c.names, e)));
      return wholeList(request, context(request, path), await withExpansions(db(), q, shaped), q);
    });
  }
}

/** Eligibility through Graph, for PIM for roles and PIM for groups: administrators' requests, schedules and instances. */
export function registerEligibilityRoutes(app: FastifyInstance, deps: GraphDeps): void {
  register(app, deps, ROLES);
  register(app, deps, GROUPS);
}
