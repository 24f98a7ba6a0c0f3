import Type from 'typebox';
import type { AssignmentRow } from '../../store/schema.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import { GROUP, Nullable, RequestBase, requestBaseShape, scheduleInfoShape, standingScheduleShape } from './graph-shapes.js';
import { type Served, entityType } from './odata.js';

/**
 * The relationships Graph documents on PIM for groups' schedules, instances and requests (spec
 * §3.4): `group` and `principal` are served (expansions.ts), the others accepted and omitted.
 */
export const GROUP_SCHEDULE_NAVIGATION = { group: GROUP, principal: null } as const;
const ASSIGNMENT_NAVIGATION = { ...GROUP_SCHEDULE_NAVIGATION, activatedUsing: null };

export const GROUP_REQUEST = entityType('microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest', Type.Object({
  ...RequestBase,
  action: Type.String(),
  isValidationOnly: Type.Boolean(),
  justification: Nullable(Type.String()),
  scheduleInfo: Type.Unknown(),
  ticketInfo: Type.Unknown(),
  accessId: Type.String(),
  principalId: Type.String(),
  groupId: Type.String(),
  targetScheduleId: Type.String(),
}), { ...ASSIGNMENT_NAVIGATION, targetSchedule: null });

export function groupRequestShape(stored: StoredRequest): Served<typeof GROUP_REQUEST> {
  const { request } = stored;
  return {
    '@odata.type': '#microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest',
    ...requestBaseShape(stored),
    action: request.action,
    isValidationOnly: false,
    justification: request.justification,
    scheduleInfo: scheduleInfoShape(stored),
    ticketInfo: { ticketNumber: request.ticket?.ticketNumber ?? null, ticketSystem: request.ticket?.ticketSystem ?? null },
    accessId: request.target.scope,
    principalId: request.principalId,
    groupId: request.target.resourceId,
    targetScheduleId: request.id,
  };
}

const AssignmentTarget = {
  id: Type.String(),
  accessId: Type.String(),
  principalId: Type.String(),
  groupId: Type.String(),
  memberType: Type.String(),
  assignmentType: Type.String(),
};

export const GROUP_ASSIGNMENT_INSTANCE = entityType('microsoft.graph.privilegedAccessGroupAssignmentScheduleInstance', Type.Object({
  ...AssignmentTarget,
  startDateTime: Type.String(),
  endDateTime: Nullable(Type.String()),
  assignmentScheduleId: Type.String(),
}), ASSIGNMENT_NAVIGATION);

/** An active membership or ownership, from a granted request (`activated`) or standing (`assigned`). */
export function groupAssignmentInstanceShape(a: AssignmentRow): Served<typeof GROUP_ASSIGNMENT_INSTANCE> {
  return {
    id: a.id,
    startDateTime: a.start_at,
    endDateTime: a.end_at,
    accessId: a.scope,
    principalId: a.principal_id,
    groupId: a.resource_id,
    // PIM for groups spells its enums in camelCase where PIM for roles uses PascalCase.
    memberType: 'direct',
    assignmentType: a.request_id ? 'activated' : 'assigned',
    assignmentScheduleId: a.request_id ?? a.id,
  };
}

export const GROUP_ASSIGNMENT_SCHEDULE = entityType('microsoft.graph.privilegedAccessGroupAssignmentSchedule', Type.Object({
  ...AssignmentTarget,
  createdUsing: Nullable(Type.String()),
  createdDateTime: Type.String(),
  modifiedDateTime: Type.Null(),
  status: Type.String(),
  scheduleInfo: Type.Unknown(),
}), ASSIGNMENT_NAVIGATION);

/** The schedule behind an active membership or ownership. */
export function groupAssignmentScheduleShape(a: AssignmentRow): Served<typeof GROUP_ASSIGNMENT_SCHEDULE> {
  return {
    id: a.request_id ?? a.id,
    accessId: a.scope,
    principalId: a.principal_id,
    groupId: a.resource_id,
    memberType: 'direct',
    assignmentType: a.request_id ? 'activated' : 'assigned',
    createdUsing: a.request_id,
    createdDateTime: a.created_at,
    modifiedDateTime: null,
    status: 'Provisioned',
    scheduleInfo: standingScheduleShape(a.start_at, a.end_at),
  };
}
