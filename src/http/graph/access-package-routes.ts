import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../domain/errors.js';
import type { Family } from '../../domain/request.js';
import { listActiveAssignments } from '../../store/assignments-repo.js';
import { getCatalog, listCatalogs } from '../../store/catalogs-repo.js';
import { type StoredPolicy, getPolicy, getResource, listPolicies, listResources } from '../../store/policies-repo.js';
import type { Db } from '../../store/store.js';
import { ApiError } from '../api-error.js';
import {
  ACCESS_PACKAGE, ACCESS_PACKAGE_ASSIGNMENT, ACCESS_PACKAGE_REQUEST, CATALOG, EM_STATUS_PROPERTIES,
  accessPackageAssignmentShape, accessPackageRequestShape, accessPackageShape, catalogShape, packageFacts,
} from './access-package-shapes.js';
import { ACCESS_PACKAGE_POLICY, accessPackageAssignmentPolicyShape } from './access-package-policy-shapes.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import type { GraphVersion } from './graph-shapes.js';
import { approverNames } from './policy-routes.js';
import { type EntityType, odataQuery, servedEntity, wholeList } from './odata.js';
import { EntityKey, type RequestCollection, registerRequestCollection, requestEntity } from './request-collection-routes.js';
import { ScheduleInfo, submitWithValidationOnly } from './request-input.js';

const FAMILY: Family = 'accessPackage';
const BASE = '/identityGovernance/entitlementManagement';
const LIST_LIMIT = 1000;

/** Entitlement management renamed its collections in v1.0 (see specs/graph-approvals.md §0). */
const COLLECTIONS: Record<GraphVersion, { catalogs: string; policies: string; requests: string; assignments: string; assignmentKey: 'accessPackageAssignment' | 'assignment' }> = {
  beta: { catalogs: 'accessPackageCatalogs', policies: 'accessPackageAssignmentPolicies', requests: 'accessPackageAssignmentRequests', assignments: 'accessPackageAssignments', assignmentKey: 'accessPackageAssignment' },
  'v1.0': { catalogs: 'catalogs', policies: 'assignmentPolicies', requests: 'assignmentRequests', assignments: 'assignments', assignmentKey: 'assignment' },
};

const Id = Type.String({ minLength: 1, maxLength: 100 });
const AssignmentInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 200 })),
  targetId: Type.Optional(Id),
  assignmentPolicyId: Id,
  accessPackageId: Id,
}, { additionalProperties: false });
const Answer = Type.Object({}, { additionalProperties: true, maxProperties: 20 });
const requestBody = (assignmentKey: string) => Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 200 })),
  requestType: Type.String({ maxLength: 40 }),
  [assignmentKey]: AssignmentInput,
  justification: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
  schedule: Type.Optional(ScheduleInfo),
  answers: Type.Optional(Type.Array(Answer, { maxItems: 50 })),
  isValidationOnly: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
type RequestBody = { requestType: string; justification?: string | null; schedule?: Type.Static<typeof ScheduleInfo>; answers?: object[]; isValidationOnly?: boolean } & Record<string, unknown>;
type AssignmentInput = Type.Static<typeof AssignmentInput>;

/** Only a user asking for themselves (`UserAdd`) goes through approval; admin and removal requests do not. */
const SUPPORTED_REQUEST_TYPES = ['UserAdd'] as const;

async function policyShapes(db: Db, policies: readonly StoredPolicy[], version: GraphVersion): Promise<Record<string, unknown>[]> {
  const names = await approverNames(db, policies.map((p) => p.policy));
  return policies.map((p) => accessPackageAssignmentPolicyShape(p, version, names));
}

async function accessPackagePolicy(db: Db, id: string): Promise<StoredPolicy> {
  const stored = await getPolicy(db, id);
  if (!stored || stored.target.family !== FAMILY) throw new DomainError('TARGET_NOT_FOUND', `Access package assignment policy '${id}' was not found.`);
  return stored;
}

/** Entitlement management: catalogs, access packages and their policies to read, and requests on the shared engine. */
export function registerAccessPackageRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { version } = deps;
  const names = COLLECTIONS[version];
  const db = () => deps.services.store.db;
  const context = (request: FastifyRequest, path: string) => odataContext(request, version, `identityGovernance/entitlementManagement/${path}`);

  /** A read-only collection and its entities; every authenticated caller may browse what can be requested. */
  function readable(set: string, type: EntityType, order: readonly string[], loadAll: () => Promise<Record<string, unknown>[]>, loadOne: (id: string) => Promise<Record<string, unknown>>) {
    app.get(`${BASE}/${set}`, async (request) => {
      const q = odataQuery(request, type, order);
      return wholeList(request, context(request, set), await loadAll(), q);
    });
    app.get<{ Params: { id: string } }>(`${BASE}/${set}/:id`, { schema: { params: EntityKey } }, async (request) => {
      const q = odataQuery(request, type);
      return servedEntity({ '@odata.context': context(request, `${set}/$entity`), ...await loadOne(request.params.id) }, q);
    });
  }

  // The store lists catalogs and packages by name, policies by id (catalogs-repo.ts, policies-repo.ts).
  readable(names.catalogs, CATALOG[version], ['displayName'],
    async () => (await listCatalogs(db())).map((r) => catalogShape(r, version)),
    async (id) => {
      const row = await getCatalog(db(), id);
      if (!row) throw new DomainError('TARGET_NOT_FOUND', `Catalog '${id}' was not found.`);
      return catalogShape(row, version);
    });

  readable('accessPackages', ACCESS_PACKAGE[version], ['displayName'],
    async () => (await listResources(db(), FAMILY)).map((r) => accessPackageShape(r, version)),
    async (id) => {
      const row = await getResource(db(), FAMILY, id.toLowerCase());
      if (!row) throw new DomainError('TARGET_NOT_FOUND', `Access package '${id}' was not found.`);
      return accessPackageShape(row, version);
    });

  readable(names.policies, ACCESS_PACKAGE_POLICY[version], ['id'],
    async () => policyShapes(db(), await listPolicies(db(), FAMILY), version),
    async (id) => (await policyShapes(db(), [await accessPackagePolicy(db(), id)], version))[0]!);

  const requests: RequestCollection = {
    family: FAMILY,
    path: `${BASE}/${names.requests}`,
    filterOn: { target: 'principal', createdBy: 'createdBy', approver: 'approver' },
    type: ACCESS_PACKAGE_REQUEST[version],
    shape: (view) => accessPackageRequestShape(view.request, version),
    statusProperties: EM_STATUS_PROPERTIES[version],
  };

  app.post<{ Body: RequestBody }>(requests.path, { schema: { body: requestBody(names.assignmentKey) } }, async (request, reply) => {
    const q = odataQuery(request, requests.type);
    const body = request.body;
    const requestType = SUPPORTED_REQUEST_TYPES.find((t) => t.toLowerCase() === body.requestType.toLowerCase());
    if (!requestType) throw new ApiError('BAD_REQUEST', `requestType '${body.requestType}' is not supported; supported: ${SUPPORTED_REQUEST_TYPES.join(', ')}.`);
    const assignment = body[names.assignmentKey] as AssignmentInput;
    const policy = await accessPackagePolicy(db(), assignment.assignmentPolicyId);
    if (policy.target.resourceId !== assignment.accessPackageId.toLowerCase()) {
      throw new DomainError('TARGET_NOT_FOUND', `Assignment policy '${policy.policy.id}' does not belong to access package '${assignment.accessPackageId}'.`);
    }
    const caller = callerOf(request);
    const view = await submitWithValidationOnly(deps.services, body.isValidationOnly === true, actorOf(request), {
      target: policy.target, action: 'userAdd',
      // A user asking for themselves may leave targetId out.
      principalId: (assignment.targetId ?? caller.userId).toLowerCase(),
      justification: body.justification ?? null, ticket: null,
      startDateTime: body.schedule?.startDateTime ?? null, expiration: body.schedule?.expiration ?? null,
      extra: body.answers ? { answers: body.answers } : {},
    });
    return reply.code(201).send({ ...await requestEntity(request, deps, requests, view, q), ...(version === 'beta' ? { isValidationOnly: body.isValidationOnly === true } : {}) });
  });

  registerRequestCollection(app, deps, requests);

  app.get(`${BASE}/${names.assignments}`, async (request) => {
    const q = odataQuery(request, ACCESS_PACKAGE_ASSIGNMENT[version]);
    const caller = callerOf(request);
    const rows = await listActiveAssignments(db(), {
      family: FAMILY, activeAt: deps.services.clock.now(), limit: LIST_LIMIT, ...(caller.isAdmin ? {} : { principalId: caller.userId }),
    });
    const catalogs = new Map((await listResources(db(), FAMILY)).map((r) => [r.id, packageFacts(r).catalogId]));
    const shaped = rows.map((a) => accessPackageAssignmentShape(a, catalogs.get(a.resource_id) ?? null, version));
    return wholeList(request, context(request, names.assignments), shaped, q);
  });
}
