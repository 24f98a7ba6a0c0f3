import { getRequestForCaller, submitRequest } from '../../app/requests.js';
import { getUsers } from '../../directory/directory-repo.js';
import { DomainError } from '../../domain/errors.js';
import type { Family } from '../../domain/request.js';
import { getResource } from '../../store/policies-repo.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import { ApiError } from '../api-error.js';
import { type ArmContext, type ArmResult, actorOf, callerOf } from './arm-context.js';
import type { ArmScheduleRequestBody } from './arm-schemas.js';
import { type ExpandedNames, type ScheduleRequestExtra, scheduleRequestShape } from './arm-shapes.js';

const FAMILY: Family = 'azureRole';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// `/subscriptions/{id}/providers/...` (subscription-level) or `/providers/...` (tenant-level) role
// definition ids; Azure PowerShell's examples leave out the leading slash.
const ROLE_DEFINITION_ID = /^(?:.*\/)?providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;
const SUPPORTED_REQUEST_TYPES = ['SelfActivate'] as const;

/** Microsoft uses the resource name the client chose as the request's id; so does Signoff. */
function requestName(ctx: ArmContext): string {
  const name = ctx.params.name!;
  if (!GUID.test(name)) throw new ApiError('BAD_REQUEST', `The role assignment schedule request name '${name}' must be a GUID.`);
  return name.toLowerCase();
}

function roleDefinitionGuid(id: string): string {
  const match = ROLE_DEFINITION_ID.exec(id.trim());
  if (!match || !GUID.test(match[1]!)) {
    throw new ApiError('BAD_REQUEST', `properties.roleDefinitionId '${id}' must be a role definition resource id such as '/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}'.`);
  }
  return match[1]!.toLowerCase();
}

const targetScope = (ctx: ArmContext) => (ctx.scope === '' ? '/' : ctx.scope);

export async function createScheduleRequest(ctx: ArmContext<ArmScheduleRequestBody>): Promise<ArmResult> {
  const id = requestName(ctx);
  const body = ctx.body.properties;
  if (!SUPPORTED_REQUEST_TYPES.some((t) => t.toLowerCase() === body.requestType.toLowerCase())) {
    throw new ApiError('BAD_REQUEST', `requestType '${body.requestType}' is not supported; supported: ${SUPPORTED_REQUEST_TYPES.join(', ')}.`);
  }
  const extra: ScheduleRequestExtra = {
    armName: ctx.params.name!, roleDefinitionId: body.roleDefinitionId,
    linkedRoleEligibilityScheduleId: body.linkedRoleEligibilityScheduleId ?? null, condition: body.condition ?? null, conditionVersion: body.conditionVersion ?? null,
  };
  const view = await submitRequest(ctx.services, actorOf(ctx), {
    id,
    target: { family: FAMILY, resourceId: roleDefinitionGuid(body.roleDefinitionId), scope: targetScope(ctx) },
    action: 'selfActivate',
    principalId: body.principalId.toLowerCase(),
    justification: body.justification ?? null,
    ticket: body.ticketInfo ? { ticketNumber: body.ticketInfo.ticketNumber ?? null, ticketSystem: body.ticketInfo.ticketSystem ?? null } : null,
    startDateTime: body.scheduleInfo?.startDateTime ?? null,
    expiration: body.scheduleInfo?.expiration ?? null,
    extra: { ...extra },
  });
  return { status: 201, body: scheduleRequestShape(view.request, await namesFor(ctx, view.request)) };
}

/** A request is addressed at the scope it was made at, as Microsoft's GET is. */
export async function getScheduleRequest(ctx: ArmContext): Promise<ArmResult> {
  const name = requestName(ctx);
  const view = await getRequestForCaller(ctx.services, callerOf(ctx), name, [FAMILY]);
  if (view.request.request.target.scope.toLowerCase() !== targetScope(ctx).toLowerCase()) {
    throw new DomainError('REQUEST_NOT_FOUND', `Role assignment schedule request '${ctx.params.name}' was not found at this scope.`);
  }
  return { status: 200, body: scheduleRequestShape(view.request, await namesFor(ctx, view.request)) };
}

async function namesFor(ctx: ArmContext, stored: StoredRequest): Promise<ExpandedNames> {
  const { request } = stored;
  const [users, role] = await Promise.all([
    getUsers(ctx.services.store.db, [request.principalId]),
    getResource(ctx.services.store.db, FAMILY, request.target.resourceId),
  ]);
  return { principal: users.get(request.principalId), roleDisplayName: role?.display_name ?? null };
}
