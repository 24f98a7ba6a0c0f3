import Type from 'typebox';
import type { StoredRequest } from '../../store/requests-repo.js';
import type { AssignmentRow, ResourceRow } from '../../store/schema.js';
import { Nullable, RequestBase, requestBaseShape, scheduleInfoShape, standingScheduleShape } from './graph-shapes.js';
import { type Served, entityType } from './odata.js';

export const ROLE_DEFINITION = entityType('microsoft.graph.unifiedRoleDefinition', Type.Object({
  id: Type.String(),
  templateId: Type.String(),
  displayName: Type.String(),
  description: Nullable(Type.String()),
  isBuiltIn: Type.Boolean(),
  isEnabled: Type.Boolean(),
}), { inheritsPermissionsFrom: null });

/**
 * The relationships Graph documents on PIM's role schedules, instances and requests (spec §3.1).
 * `roleDefinition`, `principal` and `directoryScope` are served (expansions.ts); the others are
 * accepted and omitted, as Signoff keeps no objects for them.
 */
export const ROLE_SCHEDULE_NAVIGATION = { appScope: null, directoryScope: null, principal: null, roleDefinition: ROLE_DEFINITION } as const;
const ASSIGNMENT_NAVIGATION = { ...ROLE_SCHEDULE_NAVIGATION, activatedUsing: null };

export const ROLE_REQUEST = entityType('microsoft.graph.unifiedRoleAssignmentScheduleRequest', Type.Object({
  ...RequestBase,
  action: Type.String(),
  principalId: Type.String(),
  roleDefinitionId: Type.String(),
  directoryScopeId: Type.String(),
  appScopeId: Type.Null(),
  isValidationOnly: Type.Boolean(),
  targetScheduleId: Type.String(),
  justification: Nullable(Type.String()),
  scheduleInfo: Type.Unknown(),
  ticketInfo: Type.Unknown(),
}), { ...ASSIGNMENT_NAVIGATION, targetSchedule: null });

export function roleRequestShape(stored: StoredRequest): Served<typeof ROLE_REQUEST> {
  const { request } = stored;
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleAssignmentScheduleRequest',
    ...requestBaseShape(stored),
    action: request.action,
    principalId: request.principalId,
    roleDefinitionId: request.target.resourceId,
    directoryScopeId: request.target.scope,
    appScopeId: null,
    isValidationOnly: false,
    targetScheduleId: request.id,
    justification: request.justification,
    scheduleInfo: scheduleInfoShape(stored),
    ticketInfo: { ticketNumber: request.ticket?.ticketNumber ?? null, ticketSystem: request.ticket?.ticketSystem ?? null },
  };
}

const AssignmentTarget = {
  id: Type.String(),
  principalId: Type.String(),
  roleDefinitionId: Type.String(),
  directoryScopeId: Type.String(),
  appScopeId: Type.Null(),
  assignmentType: Type.String(),
  memberType: Type.String(),
};

export const ROLE_ASSIGNMENT_INSTANCE = entityType('microsoft.graph.unifiedRoleAssignmentScheduleInstance', Type.Object({
  ...AssignmentTarget,
  startDateTime: Type.String(),
  endDateTime: Nullable(Type.String()),
  roleAssignmentOriginId: Type.String(),
  roleAssignmentScheduleId: Type.String(),
}), ASSIGNMENT_NAVIGATION);

/** An active assignment, from a granted request (`Activated`) or standing (`Assigned`). */
export function roleAssignmentInstanceShape(a: AssignmentRow): Served<typeof ROLE_ASSIGNMENT_INSTANCE> {
  return {
    id: a.id, principalId: a.principal_id, roleDefinitionId: a.resource_id, directoryScopeId: a.scope, appScopeId: null,
    startDateTime: a.start_at, endDateTime: a.end_at, assignmentType: a.request_id ? 'Activated' : 'Assigned', memberType: 'Direct',
    roleAssignmentOriginId: a.id, roleAssignmentScheduleId: a.request_id ?? a.id,
  };
}

export const ROLE_ASSIGNMENT_SCHEDULE = entityType('microsoft.graph.unifiedRoleAssignmentSchedule', Type.Object({
  ...AssignmentTarget,
  createdUsing: Nullable(Type.String()),
  createdDateTime: Type.String(),
  modifiedDateTime: Type.Null(),
  status: Type.String(),
  scheduleInfo: Type.Unknown(),
}), ASSIGNMENT_NAVIGATION);

/** The schedule behind an active assignment. */
export function roleAssignmentScheduleShape(a: AssignmentRow): Served<typeof ROLE_ASSIGNMENT_SCHEDULE> {
  return {
    id: a.request_id ?? a.id, principalId: a.principal_id, roleDefinitionId: a.resource_id, directoryScopeId: a.scope, appScopeId: null,
    createdUsing: a.request_id, createdDateTime: a.created_at, modifiedDateTime: null, status: 'Provisioned',
    assignmentType: a.request_id ? 'Activated' : 'Assigned', memberType: 'Direct',
    scheduleInfo: standingScheduleShape(a.start_at, a.end_at),
  };
}

export function roleDefinitionShape(r: ResourceRow): Served<typeof ROLE_DEFINITION> {
  return { id: r.id, templateId: r.id, displayName: r.display_name, description: r.description, isBuiltIn: true, isEnabled: true };
}
