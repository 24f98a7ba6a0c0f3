import type { AssignmentRow, EligibilityRow } from '../../store/schema.js';
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

export function groupEligibilityInstanceShape(e: EligibilityRow): Record<string, unknown> {
  return {
    id: e.id,
    startDateTime: e.start_at,
    endDateTime: e.end_at,
    accessId: e.scope,
    principalId: e.principal_id,
    groupId: e.resource_id,
    memberType: 'direct',
    eligibilityScheduleId: e.id,
  };
}
