import type { Approval, Stage } from '../../domain/approval.js';
import { effectiveStatus, isAssignedTo } from '../../domain/decision.js';
import type { Schedule } from '../../domain/request.js';
import type { Instant } from '../../domain/time.js';
import type { User } from '../../directory/directory-repo.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import { signoffTiming } from '../graph/graph-shapes.js';
import { resourceId } from './arm-path.js';

export interface ArmShapeContext {
  readonly callerId: string;
  readonly now: Instant;
  /** Reviewers named in the shapes, for their names. */
  readonly users: ReadonlyMap<string, User>;
}

export const APPROVAL_TYPE = 'Microsoft.Authorization/roleAssignmentApprovals';
export const STAGE_TYPE = 'Microsoft.Authorization/roleAssignmentApprovals/stages';
// Microsoft's responses spell this resource type with a capital R, in `type` and in `id`.
export const SCHEDULE_REQUEST_TYPE = 'Microsoft.Authorization/RoleAssignmentScheduleRequests';

export function approvalResourceId(scope: string, approvalId: string): string {
  return resourceId(scope, 'roleAssignmentApprovals', approvalId);
}

function reviewedBy(stage: Stage, ctx: ArmShapeContext) {
  if (!stage.reviewedBy) return null;
  const user = ctx.users.get(stage.reviewedBy);
  return { principalId: stage.reviewedBy, principalType: 'user', principalName: user?.display_name ?? '', userPrincipalName: user?.user_principal_name ?? '' };
}

/** ARM has every domain stage status, so it shows them unmapped (Graph folds some). */
export function stageShape(scope: string, approval: Approval, stage: Stage, ctx: ArmShapeContext) {
  return {
    id: `${approvalResourceId(scope, approval.id)}/stages/${stage.id}`,
    name: stage.id,
    type: STAGE_TYPE,
    properties: {
      displayName: stage.config.displayName ?? `Stage ${stage.index + 1}`,
      status: effectiveStatus(stage, ctx.now),
      assignedToMe: isAssignedTo(stage, ctx.callerId, ctx.now, approval.requestorId),
      reviewedBy: reviewedBy(stage, ctx),
      reviewedDateTime: stage.reviewedAt,
      reviewResult: stage.reviewResult,
      justification: stage.justification,
      // Signoff's annotations, as on Graph's steps: deadlines and who may decide now.
      ...signoffTiming(stage, approval, ctx),
    },
  };
}

/**
 * Microsoft's examples give an approval the stage's `type`; Signoff answers the approval's own type.
 * ARM's approval does not say which request it is for; Signoff's annotation gives the request's
 * resource id (at the scope it was made at), so a client can read what is asked.
 */
export function approvalShape(scope: string, approval: Approval, ctx: ArmShapeContext, request?: StoredRequest) {
  return {
    id: approvalResourceId(scope, approval.id),
    name: approval.id,
    type: APPROVAL_TYPE,
    properties: {
      stages: approval.stages.map((s) => stageShape(scope, approval, s, ctx)),
      ...(request ? { '@signoff.scheduleRequestId': scheduleRequestShape(request).id } : {}),
    },
  };
}

const EXPIRATION_TYPE = { afterDuration: 'AfterDuration', afterDateTime: 'AfterDateTime', noExpiration: 'NoExpiration' } as const;

function expirationShape(schedule: Schedule) {
  // An unstated end was resolved to the policy's longest activation; show it as the date it is.
  if (schedule.expirationType === 'notSpecified') return { type: 'AfterDateTime', endDateTime: schedule.endAt, duration: null };
  return {
    type: EXPIRATION_TYPE[schedule.expirationType],
    endDateTime: schedule.expirationType === 'afterDateTime' ? schedule.endAt : null,
    duration: schedule.duration,
  };
}

/** The wire fields kept in the request's `extra` so they read back as the client sent them. */
export interface ScheduleRequestExtra {
  readonly armName: string;
  readonly roleDefinitionId: string;
  readonly linkedRoleEligibilityScheduleId: string | null;
  readonly condition: string | null;
  readonly conditionVersion: string | null;
}

function extraOf(stored: StoredRequest): ScheduleRequestExtra {
  const extra = stored.extra as Partial<ScheduleRequestExtra>;
  const { request } = stored;
  return {
    armName: extra.armName ?? request.id,
    roleDefinitionId: extra.roleDefinitionId ?? resourceId('', 'roleDefinitions', request.target.resourceId),
    linkedRoleEligibilityScheduleId: extra.linkedRoleEligibilityScheduleId ?? null,
    condition: extra.condition ?? null,
    conditionVersion: extra.conditionVersion ?? null,
  };
}

/** Names behind the ids, for ARM's `expandedProperties` (Microsoft fills it on reads). */
export interface ExpandedNames {
  readonly principal: User | undefined;
  readonly roleDisplayName: string | null;
}

function scopeType(scope: string): string {
  if (/\/managementGroups\/[^/]+$/i.test(scope)) return 'managementgroup';
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(scope)) return 'resourcegroup';
  return scope === '/' ? 'tenant' : 'resource';
}

function expandedProperties(stored: StoredRequest, extra: ScheduleRequestExtra, names: ExpandedNames) {
  const { request } = stored;
  return {
    principal: { id: request.principalId, displayName: names.principal?.display_name ?? null, email: names.principal?.user_principal_name ?? null, type: 'User' },
    roleDefinition: { id: extra.roleDefinitionId, displayName: names.roleDisplayName, type: 'BuiltInRole' },
    scope: { id: request.target.scope, displayName: request.target.scope.split('/').pop() || request.target.scope, type: scopeType(request.target.scope) },
  };
}

export function scheduleRequestShape(stored: StoredRequest, names?: ExpandedNames) {
  const { request } = stored;
  const extra = extraOf(stored);
  const scope = request.target.scope === '/' ? '' : request.target.scope;
  return {
    id: resourceId(scope, 'RoleAssignmentScheduleRequests', extra.armName),
    name: extra.armName,
    type: SCHEDULE_REQUEST_TYPE,
    properties: {
      scope: request.target.scope,
      roleDefinitionId: extra.roleDefinitionId,
      principalId: request.principalId,
      principalType: 'User',
      requestType: 'SelfActivate',
      status: request.status,
      // The approval's resource id, so a client can address it as given.
      approvalId: request.approvalId ? approvalResourceId('', request.approvalId) : null,
      targetRoleAssignmentScheduleId: request.id,
      targetRoleAssignmentScheduleInstanceId: null,
      linkedRoleEligibilityScheduleId: extra.linkedRoleEligibilityScheduleId,
      scheduleInfo: { startDateTime: request.schedule.startAt, expiration: expirationShape(request.schedule) },
      ticketInfo: { ticketNumber: request.ticket?.ticketNumber ?? null, ticketSystem: request.ticket?.ticketSystem ?? null },
      justification: request.justification,
      requestorId: request.createdBy,
      createdOn: request.createdAt,
      condition: extra.condition,
      conditionVersion: extra.conditionVersion,
      ...(names ? { expandedProperties: expandedProperties(stored, extra, names) } : {}),
    },
  };
}

const operation = (name: string, resource: string, op: string, description: string) => ({
  name, isDataAction: false, display: { provider: 'Microsoft Authorization', resource, operation: op, description }, origin: 'user',
});

/** What this provider serves, for Operations_List. */
export const OPERATIONS = [
  operation('Microsoft.Authorization/operations/read', 'Operations', 'List operations', 'Lists the operations available from the Microsoft.Authorization provider.'),
  operation('Microsoft.Authorization/roleAssignmentApprovals/read', 'Role Assignment Approvals', 'Get role assignment approvals', 'Reads role assignment approvals the caller may see.'),
  operation('Microsoft.Authorization/roleAssignmentApprovals/stages/read', 'Role Assignment Approval Stages', 'Get role assignment approval stages', 'Reads the stages of a role assignment approval.'),
  operation('Microsoft.Authorization/roleAssignmentApprovals/stages/write', 'Role Assignment Approval Stages', 'Record a decision', 'Approves or denies the current stage of a role assignment approval.'),
  operation('Microsoft.Authorization/roleAssignmentScheduleRequests/read', 'Role Assignment Schedule Requests', 'Get role assignment schedule requests', 'Reads role assignment schedule requests.'),
  operation('Microsoft.Authorization/roleAssignmentScheduleRequests/write', 'Role Assignment Schedule Requests', 'Create role assignment schedule requests', 'Activates an eligible role assignment, with approval where the policy requires it.'),
];
