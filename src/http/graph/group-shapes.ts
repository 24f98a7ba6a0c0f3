import type { AssignmentRow } from '../../store/schema.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import { requestBaseShape, scheduleInfoShape } from './graph-shapes.js';

export function groupRequestShape(stored: StoredRequest): Record<string, unknown> {
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

/** An active membership or ownership, from a granted request (`activated`) or standing (`assigned`). */
export function groupAssignmentInstanceShape(a: AssignmentRow): Record<string, unknown> {
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

/** The schedule behind an active membership or ownership (Graph's `privilegedAccessGroupAssignmentSchedule`). */
export function groupAssignmentScheduleShape(a: AssignmentRow): Record<string, unknown> {
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
    scheduleInfo: { startDateTime: a.start_at, recurrence: null, expiration: { type: a.end_at ? 'afterDateTime' : 'noExpiration', endDateTime: a.end_at, duration: null } },
  };
}
