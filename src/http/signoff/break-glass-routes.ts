import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { activateBreakGlass, getBreakGlassForCaller, getBreakGlassSettingsFor, listBreakGlassForCaller, setBreakGlassSettings } from '../../app/break-glass.js';
import type { RequestView } from '../../app/requests.js';
import type { BreakGlassSettings } from '../../domain/break-glass.js';
import { ApiError } from '../api-error.js';
import { decodeSkipToken, encodeSkipToken, nextLink, pageSize } from '../graph/odata.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';
import { isCreatedPosition } from '../keyset-position.js';

const ActivationBody = Type.Object({
  family: Type.Union([Type.Literal('directoryRole'), Type.Literal('group'), Type.Literal('azureRole')]),
  resourceId: Type.String({ minLength: 1, maxLength: 100 }),
  /** Directory scope (`/`), group relationship (`member`/`owner`) or ARM scope; the family's usual one when absent. */
  scope: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
  justification: Type.String({ maxLength: 4000 }),
  duration: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

const ApproverRef = Type.Union([
  Type.Object({ type: Type.Literal('singleUser'), userId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('groupMembers'), groupId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('requestorManager'), managerLevel: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false }),
]);

const SettingsBody = Type.Object({
  enabled: Type.Boolean(),
  maximumDurationMinutes: Type.Integer(),
  reviewers: Type.Array(ApproverRef, { maxItems: 25 }),
  reviewWithinMinutes: Type.Integer(),
}, { additionalProperties: false });

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const DEFAULT_SCOPE = { directoryRole: '/', group: 'member' } as const;

/** An emergency activation with its review: the access it granted and where the review stands. */
function activationShape({ request: stored, approval }: RequestView): Record<string, unknown> {
  const { request } = stored;
  const stage = approval?.stages[0];
  return {
    id: request.id, family: request.target.family, resourceId: request.target.resourceId, scope: request.target.scope,
    principalId: request.principalId, justification: request.justification, status: request.status,
    startDateTime: request.schedule.startAt, endDateTime: request.schedule.endAt,
    createdDateTime: request.createdAt, completedDateTime: request.completedAt,
    review: stage ? {
      id: stage.id, status: approval!.status, deadline: stage.expireAt, reviewerIds: stage.approverIds,
      reviewResult: stage.reviewResult, reviewedBy: stage.reviewedBy, reviewedDateTime: stage.reviewedAt, justification: stage.justification,
    } : null,
  };
}

function settingsShape(policyId: string, s: BreakGlassSettings | null): Record<string, unknown> {
  return { policyId, enabled: s?.enabled ?? false, maximumDurationMinutes: s?.maximumDurationMinutes ?? null, reviewers: s?.reviewers ?? [], reviewWithinMinutes: s?.reviewWithinMinutes ?? null };
}

/** Break-glass: emergency activation now, review after; reviewers decide through the usual approval routes and the inbox. */
export function registerBreakGlassRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  const { services, callerOf, actorOf } = deps;
  const actor = (request: FastifyRequest) => ({ ...actorOf(request), userId: callerOf(request).userId });

  app.post<{ Body: Type.Static<typeof ActivationBody> }>('/breakGlass/activations', { schema: { body: ActivationBody } }, async (request, reply) => {
    const body = request.body;
    const scope = body.scope ?? (body.family === 'azureRole' ? null : DEFAULT_SCOPE[body.family]);
    if (scope === null) throw new ApiError('BAD_REQUEST', 'scope is required for an Azure role: the ARM scope the role is activated at.');
    const view = await activateBreakGlass(services, actor(request), {
      target: { family: body.family, resourceId: body.resourceId.toLowerCase(), scope },
      justification: body.justification, duration: body.duration ?? null,
    });
    return reply.code(201).send(activationShape(view));
  });

  app.get('/breakGlass/activations', async (request) => {
    const query = request.query as Record<string, unknown>;
    const page = await listBreakGlassForCaller(services, callerOf(request), pageSize(query), decodeSkipToken(query, isCreatedPosition));
    return { value: page.items.map(activationShape), ...(page.next ? { '@odata.nextLink': nextLink(request, encodeSkipToken(page.next)) } : {}) };
  });

  app.get<{ Params: { id: string } }>('/breakGlass/activations/:id', { schema: { params: IdParams } }, async (request) => {
    return activationShape(await getBreakGlassForCaller(services, callerOf(request), request.params.id));
  });

  app.get<{ Params: { id: string } }>('/breakGlass/policies/:id', { schema: { params: IdParams } }, async (request) => {
    return settingsShape(request.params.id, await getBreakGlassSettingsFor(services, callerOf(request), request.params.id));
  });

  app.put<{ Params: { id: string }; Body: Type.Static<typeof SettingsBody> }>('/breakGlass/policies/:id', { schema: { params: IdParams, body: SettingsBody } }, async (request) => {
    const saved = await setBreakGlassSettings(services, actor(request), callerOf(request), request.params.id, request.body);
    return settingsShape(request.params.id, saved);
  });
}
