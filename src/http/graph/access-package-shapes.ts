import type { RequestStatus } from '../../domain/request.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import type { AssignmentRow, ResourceRow } from '../../store/schema.js';
import type { GraphVersion } from './graph-shapes.js';
import { scheduleInfoShape } from './graph-shapes.js';

/**
 * Entitlement management has its own request lifecycle. Beta spells it PascalCase in
 * `requestState`; v1.0 camelCase in `state`; both carry the detail in PascalCase `requestStatus`/`status`.
 */
const EM_STATE: Record<RequestStatus, string> = {
  PendingApproval: 'PendingApproval',
  // Approved with a start still ahead: delivery is scheduled.
  Granted: 'Scheduled',
  Provisioned: 'Delivered',
  Denied: 'Denied',
  Canceled: 'Canceled',
  Failed: 'DeliveryFailed',
  // The request was delivered; it is the assignment that was later removed.
  Revoked: 'Delivered',
};

export function emState(status: RequestStatus, version: GraphVersion): string {
  const state = EM_STATE[status];
  return version === 'beta' ? state : state.charAt(0).toLowerCase() + state.slice(1);
}

// ---- catalogs and access packages ---------------------------------------------------------------

export function catalogShape(row: ResourceRow, version: GraphVersion): Record<string, unknown> {
  const common = { id: row.id, displayName: row.display_name, description: row.description, isExternallyVisible: false };
  return version === 'beta'
    ? { ...common, catalogType: 'UserManaged', catalogStatus: 'Published', createdDateTime: null, modifiedDateTime: null }
    : { ...common, catalogType: 'userManaged', state: 'published', createdDateTime: null, modifiedDateTime: null };
}

export interface AccessPackageFacts {
  readonly catalogId: string;
  readonly assignmentPolicyId: string;
  readonly assignmentPolicyName: string;
}

export function packageFacts(row: ResourceRow): AccessPackageFacts {
  return JSON.parse(row.extra) as AccessPackageFacts;
}

export function accessPackageShape(row: ResourceRow, version: GraphVersion): Record<string, unknown> {
  const { catalogId } = packageFacts(row);
  const common = { id: row.id, displayName: row.display_name, description: row.description, isHidden: false, createdDateTime: null, modifiedDateTime: null, catalog: { id: catalogId } };
  return version === 'beta' ? { ...common, catalogId, isRoleScopesVisible: false } : common;
}

// ---- requests and assignments ------------------------------------------------------------------

/** Navigation properties of a request, carried for `$filter` and shown on `$expand`. */
export const REQUEST_NAVIGATION = { beta: ['accessPackage', 'accessPackageAssignment', 'requestor'], 'v1.0': ['accessPackage', 'assignment', 'requestor'] } as const;

export function accessPackageRequestShape(stored: StoredRequest, version: GraphVersion): Record<string, unknown> {
  const { request } = stored;
  const target = { targetId: request.principalId, assignmentPolicyId: request.target.scope, accessPackageId: request.target.resourceId };
  const common = {
    id: request.id,
    createdDateTime: request.createdAt,
    justification: request.justification,
    schedule: scheduleInfoShape(stored),
    answers: Array.isArray(stored.extra.answers) ? stored.extra.answers : [],
    customExtensionCalloutInstances: [],
    accessPackage: { id: request.target.resourceId },
    requestor: { id: request.createdBy },
  };
  if (version === 'beta') {
    return {
      '@odata.type': '#microsoft.graph.accessPackageAssignmentRequest',
      ...common,
      requestType: 'UserAdd',
      requestState: emState(request.status, version),
      requestStatus: EM_STATE[request.status],
      completedDate: request.completedAt,
      expirationDateTime: null,
      isValidationOnly: false,
      customExtensionHandlerInstances: [],
      accessPackageAssignment: target,
    };
  }
  return {
    '@odata.type': '#microsoft.graph.accessPackageAssignmentRequest',
    ...common,
    requestType: 'userAdd',
    state: emState(request.status, version),
    status: EM_STATE[request.status],
    completedDateTime: request.completedAt,
    assignment: target,
  };
}

export const ASSIGNMENT_NAVIGATION = { beta: ['accessPackage', 'accessPackageAssignmentPolicy', 'target'], 'v1.0': ['accessPackage', 'assignmentPolicy', 'target'] } as const;

/** A delivered access package: an active assignment produced by an approved request. */
export function accessPackageAssignmentShape(a: AssignmentRow, catalogId: string | null, version: GraphVersion): Record<string, unknown> {
  const schedule = {
    startDateTime: a.start_at,
    recurrence: null,
    expiration: { type: a.end_at ? 'afterDateTime' : 'noExpiration', endDateTime: a.end_at, duration: null },
  };
  const nav = { accessPackage: { id: a.resource_id }, target: { id: a.principal_id, objectId: a.principal_id } };
  if (version === 'beta') {
    return {
      id: a.id, catalogId, accessPackageId: a.resource_id, assignmentPolicyId: a.scope, targetId: a.principal_id,
      assignmentStatus: 'Delivered', assignmentState: 'Delivered', isExtended: false, expiredDateTime: a.end_at, schedule,
      ...nav, accessPackageAssignmentPolicy: { id: a.scope },
    };
  }
  return { id: a.id, state: 'delivered', status: 'Delivered', expiredDateTime: a.end_at, schedule, customExtensionCalloutInstances: [], ...nav, assignmentPolicy: { id: a.scope } };
}
