import Type from 'typebox';
import type { Schedule } from '../../domain/request.js';
import type { EligibilityRequest } from '../../store/eligibility-requests-repo.js';
import type { EligibilityRow } from '../../store/schema.js';
import { Nullable, scheduleShape, standingScheduleShape } from './graph-shapes.js';
import { GROUP_SCHEDULE_NAVIGATION } from './group-shapes.js';
import { ROLE_SCHEDULE_NAVIGATION } from './role-shapes.js';
import { type EntityType, type ServedFields, entityType } from './odata.js';

/** A removal carries no schedule: Graph shows its start and no expiration. */
function requestedScheduleShape(schedule: Schedule | null, fallbackStart: string): Record<string, unknown> {
  if (!schedule) return { startDateTime: fallbackStart, recurrence: null, expiration: { type: 'notSpecified', endDateTime: null, duration: null } };
  return scheduleShape(schedule);
}

const RequestFields = {
  id: Type.String(),
  status: Type.String(),
  action: Type.String(),
  createdDateTime: Type.String(),
  completedDateTime: Nullable(Type.String()),
  approvalId: Type.Null(),
  customData: Type.Null(),
  isValidationOnly: Type.Boolean(),
  createdBy: Type.Unknown(),
  principalId: Type.String(),
  justification: Nullable(Type.String()),
  targetScheduleId: Nullable(Type.String()),
  scheduleInfo: Type.Unknown(),
  ticketInfo: Type.Unknown(),
};

const ScheduleFields = {
  id: Type.String(),
  principalId: Type.String(),
  memberType: Type.String(),
  status: Type.String(),
  createdUsing: Nullable(Type.String()),
  createdDateTime: Type.String(),
  modifiedDateTime: Type.Null(),
  scheduleInfo: Type.Unknown(),
};

const InstanceFields = {
  id: Type.String(),
  principalId: Type.String(),
  memberType: Type.String(),
  startDateTime: Type.String(),
  endDateTime: Nullable(Type.String()),
};

const RoleTarget = { roleDefinitionId: Type.String(), directoryScopeId: Type.String(), appScopeId: Type.Null() };
const GroupTarget = { groupId: Type.String(), accessId: Type.String() };

/** How each family names its target in Graph: a role at a directory scope, or a group relationship. */
export interface TargetNames {
  readonly requestType: string;
  readonly target: (resourceId: string, scope: string) => Record<string, unknown>;
  /** PIM for groups spells memberType in camelCase, PIM for roles in PascalCase. */
  readonly memberType: string;
  readonly scheduleId: (id: string) => Record<string, unknown>;
  readonly types: { readonly request: EntityType; readonly schedule: EntityType; readonly instance: EntityType };
}

export const ROLE_NAMES: TargetNames = {
  requestType: '#microsoft.graph.unifiedRoleEligibilityScheduleRequest',
  target: (resourceId, scope): Type.Static<Type.TObject<typeof RoleTarget>> => ({ roleDefinitionId: resourceId, directoryScopeId: scope, appScopeId: null }),
  memberType: 'Direct',
  scheduleId: (id) => ({ roleEligibilityScheduleId: id }),
  types: {
    request: entityType('microsoft.graph.unifiedRoleEligibilityScheduleRequest', Type.Object({ ...RequestFields, ...RoleTarget }), { ...ROLE_SCHEDULE_NAVIGATION, targetSchedule: null }),
    schedule: entityType('microsoft.graph.unifiedRoleEligibilitySchedule', Type.Object({ ...ScheduleFields, ...RoleTarget }), ROLE_SCHEDULE_NAVIGATION),
    instance: entityType('microsoft.graph.unifiedRoleEligibilityScheduleInstance', Type.Object({ ...InstanceFields, ...RoleTarget, roleEligibilityScheduleId: Type.String() }), ROLE_SCHEDULE_NAVIGATION),
  },
};

export const GROUP_NAMES: TargetNames = {
  requestType: '#microsoft.graph.privilegedAccessGroupEligibilityScheduleRequest',
  target: (resourceId, scope): Type.Static<Type.TObject<typeof GroupTarget>> => ({ groupId: resourceId, accessId: scope }),
  memberType: 'direct',
  scheduleId: (id) => ({ eligibilityScheduleId: id }),
  types: {
    request: entityType('microsoft.graph.privilegedAccessGroupEligibilityScheduleRequest', Type.Object({ ...RequestFields, ...GroupTarget }), { ...GROUP_SCHEDULE_NAVIGATION, targetSchedule: null }),
    schedule: entityType('microsoft.graph.privilegedAccessGroupEligibilitySchedule', Type.Object({ ...ScheduleFields, ...GroupTarget }), GROUP_SCHEDULE_NAVIGATION),
    instance: entityType('microsoft.graph.privilegedAccessGroupEligibilityScheduleInstance', Type.Object({ ...InstanceFields, ...GroupTarget, eligibilityScheduleId: Type.String() }), GROUP_SCHEDULE_NAVIGATION),
  },
};

export function eligibilityRequestShape(names: TargetNames, r: EligibilityRequest): Record<string, unknown> {
  const fields: ServedFields<typeof RequestFields> = {
    '@odata.type': names.requestType,
    id: r.id, status: r.status, action: r.action, createdDateTime: r.createdAt, completedDateTime: r.completedAt,
    approvalId: null, customData: null, isValidationOnly: false,
    createdBy: { application: null, device: null, user: r.createdBy ? { displayName: null, id: r.createdBy } : null },
    principalId: r.principalId,
    justification: r.justification, targetScheduleId: r.eligibilityId,
    scheduleInfo: requestedScheduleShape(r.schedule, r.createdAt),
    ticketInfo: { ticketNumber: null, ticketSystem: null },
  };
  return { ...fields, ...names.target(r.target.resourceId, r.target.scope) };
}

export function eligibilityScheduleShape(names: TargetNames, e: EligibilityRow): Record<string, unknown> {
  const fields: ServedFields<typeof ScheduleFields> = {
    id: e.id, principalId: e.principal_id, memberType: names.memberType,
    status: 'Provisioned', createdUsing: e.request_id, createdDateTime: e.created_at, modifiedDateTime: null,
    scheduleInfo: standingScheduleShape(e.start_at, e.end_at),
  };
  return { ...fields, ...names.target(e.resource_id, e.scope) };
}

export function eligibilityInstanceShape(names: TargetNames, e: EligibilityRow): Record<string, unknown> {
  const fields: ServedFields<typeof InstanceFields> = {
    id: e.id, principalId: e.principal_id, memberType: names.memberType, startDateTime: e.start_at, endDateTime: e.end_at,
  };
  return { ...fields, ...names.target(e.resource_id, e.scope), ...names.scheduleId(e.id) };
}
