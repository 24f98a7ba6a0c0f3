import type { Schedule } from '../../domain/request.js';
import type { EligibilityRequest } from '../../store/eligibility-requests-repo.js';
import type { EligibilityRow } from '../../store/schema.js';

function scheduleShape(schedule: Schedule | null, fallbackStart: string): Record<string, unknown> {
  if (!schedule) return { startDateTime: fallbackStart, recurrence: null, expiration: { type: 'notSpecified', endDateTime: null, duration: null } };
  return {
    startDateTime: schedule.startAt, recurrence: null,
    expiration: { type: schedule.expirationType, endDateTime: schedule.expirationType === 'afterDuration' ? null : schedule.endAt, duration: schedule.duration },
  };
}

function rowScheduleShape(e: EligibilityRow): Record<string, unknown> {
  return { startDateTime: e.start_at, recurrence: null, expiration: { type: e.end_at ? 'afterDateTime' : 'noExpiration', endDateTime: e.end_at, duration: null } };
}

/** How each family names its target in Graph: a role at a directory scope, or a group relationship. */
export interface TargetNames {
  readonly requestType: string;
  readonly target: (resourceId: string, scope: string) => Record<string, unknown>;
  /** PIM for groups spells memberType in camelCase, PIM for roles in PascalCase. */
  readonly memberType: string;
  readonly scheduleIdName: string;
}

export const ROLE_NAMES: TargetNames = {
  requestType: '#microsoft.graph.unifiedRoleEligibilityScheduleRequest',
  target: (resourceId, scope) => ({ roleDefinitionId: resourceId, directoryScopeId: scope, appScopeId: null }),
  memberType: 'Direct',
  scheduleIdName: 'roleEligibilityScheduleId',
};

export const GROUP_NAMES: TargetNames = {
  requestType: '#microsoft.graph.privilegedAccessGroupEligibilityScheduleRequest',
  target: (resourceId, scope) => ({ groupId: resourceId, accessId: scope }),
  memberType: 'direct',
  scheduleIdName: 'eligibilityScheduleId',
};

export function eligibilityRequestShape(names: TargetNames, r: EligibilityRequest): Record<string, unknown> {
  return {
    '@odata.type': names.requestType,
    id: r.id, status: r.status, action: r.action, createdDateTime: r.createdAt, completedDateTime: r.completedAt,
    approvalId: null, customData: null, isValidationOnly: false,
    createdBy: { application: null, device: null, user: r.createdBy ? { displayName: null, id: r.createdBy } : null },
    principalId: r.principalId, ...names.target(r.target.resourceId, r.target.scope),
    justification: r.justification, targetScheduleId: r.eligibilityId,
    scheduleInfo: scheduleShape(r.schedule, r.createdAt),
    ticketInfo: { ticketNumber: null, ticketSystem: null },
  };
}

export function eligibilityScheduleShape(names: TargetNames, e: EligibilityRow): Record<string, unknown> {
  return {
    id: e.id, principalId: e.principal_id, ...names.target(e.resource_id, e.scope), memberType: names.memberType,
    status: 'Provisioned', createdUsing: e.request_id, createdDateTime: e.created_at, modifiedDateTime: null,
    scheduleInfo: rowScheduleShape(e),
  };
}

export function eligibilityInstanceShape(names: TargetNames, e: EligibilityRow): Record<string, unknown> {
  return {
    id: e.id, principalId: e.principal_id, ...names.target(e.resource_id, e.scope), memberType: names.memberType,
    startDateTime: e.start_at, endDateTime: e.end_at, [names.scheduleIdName]: e.id,
  };
}
