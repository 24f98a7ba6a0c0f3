import Type from 'typebox';
import type { RequestStatus } from '../../domain/request.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import type { AssignmentRow, ResourceRow } from '../../store/schema.js';
import { type GraphVersion, Nullable, scheduleInfoShape, standingScheduleShape } from './graph-shapes.js';
import { type Served, type ServedFields, entityType } from './odata.js';

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

/** The request properties each version derives from the stored status, as accessPackageRequestShape serves them. */
export const EM_STATUS_PROPERTIES: Record<GraphVersion, Readonly<Record<string, (status: RequestStatus) => string>>> = {
  beta: { requestState: (status) => emState(status, 'beta'), requestStatus: (status) => EM_STATE[status] },
  'v1.0': { state: (status) => emState(status, 'v1.0'), status: (status) => EM_STATE[status] },
};

// ---- catalogs and access packages ---------------------------------------------------------------

const CatalogFields = {
  id: Type.String(),
  displayName: Type.String(),
  description: Nullable(Type.String()),
  isExternallyVisible: Type.Boolean(),
  catalogType: Type.String(),
  createdDateTime: Type.Null(),
  modifiedDateTime: Type.Null(),
};

export const CATALOG = {
  beta: entityType('microsoft.graph.accessPackageCatalog', Type.Object({ ...CatalogFields, catalogStatus: Type.String() }), {
    accessPackages: null, accessPackageResources: null, accessPackageResourceRoles: null, accessPackageResourceScopes: null,
    accessPackageCustomWorkflowExtensions: null, customAccessPackageWorkflowExtensions: null,
  }),
  'v1.0': entityType('microsoft.graph.accessPackageCatalog', Type.Object({ ...CatalogFields, state: Type.String() }), {
    accessPackages: null, customWorkflowExtensions: null, resourceRoles: null, resources: null, resourceScopes: null,
  }),
} as const;

export function catalogShape(row: ResourceRow, version: GraphVersion): Served<(typeof CATALOG)[GraphVersion]> {
  const common: Omit<ServedFields<typeof CatalogFields>, 'catalogType'> = {
    id: row.id, displayName: row.display_name, description: row.description, isExternallyVisible: false, createdDateTime: null, modifiedDateTime: null,
  };
  return version === 'beta'
    ? { ...common, catalogType: 'UserManaged', catalogStatus: 'Published' }
    : { ...common, catalogType: 'userManaged', state: 'published' };
}

export interface AccessPackageFacts {
  readonly catalogId: string;
  readonly assignmentPolicyId: string;
  readonly assignmentPolicyName: string;
}

export function packageFacts(row: ResourceRow): AccessPackageFacts {
  return JSON.parse(row.extra) as AccessPackageFacts;
}

const PackageFields = {
  id: Type.String(),
  displayName: Type.String(),
  description: Nullable(Type.String()),
  isHidden: Type.Boolean(),
  createdDateTime: Type.Null(),
  modifiedDateTime: Type.Null(),
  catalog: Type.Object({ id: Type.String() }),
};

/**
 * The catalog is served as a reference, carried for `$filter=catalog/id eq '…'` and shown on
 * `$expand`; the other relationships Graph documents are accepted and omitted.
 */
const PackageNavigation = { catalog: null, accessPackagesIncompatibleWith: null, incompatibleAccessPackages: null, incompatibleGroups: null };
export const ACCESS_PACKAGE = {
  beta: entityType('microsoft.graph.accessPackage', Type.Object({ ...PackageFields, catalogId: Type.String(), isRoleScopesVisible: Type.Boolean() }),
    { ...PackageNavigation, accessPackageCatalog: null, accessPackageAssignmentPolicies: null, accessPackageResourceRoleScopes: null }),
  'v1.0': entityType('microsoft.graph.accessPackage', Type.Object(PackageFields), { ...PackageNavigation, assignmentPolicies: null, resourceRoleScopes: null }),
} as const;

export function accessPackageShape(row: ResourceRow, version: GraphVersion): Served<(typeof ACCESS_PACKAGE)[GraphVersion]> {
  const { catalogId } = packageFacts(row);
  const common: ServedFields<typeof PackageFields> = {
    id: row.id, displayName: row.display_name, description: row.description, isHidden: false, createdDateTime: null, modifiedDateTime: null, catalog: { id: catalogId },
  };
  return version === 'beta' ? { ...common, catalogId, isRoleScopesVisible: false } : common;
}

// ---- requests and assignments ------------------------------------------------------------------

const Reference = Type.Object({ id: Type.String() });

const RequestFields = {
  id: Type.String(),
  createdDateTime: Type.String(),
  justification: Nullable(Type.String()),
  schedule: Type.Unknown(),
  answers: Type.Array(Type.Unknown()),
  customExtensionCalloutInstances: Type.Array(Type.Unknown()),
  accessPackage: Reference,
  requestor: Reference,
  requestType: Type.String(),
};

const AssignmentTarget = Type.Object({ targetId: Type.String(), assignmentPolicyId: Type.String(), accessPackageId: Type.String() });

/** Navigation properties are carried for `$filter` (`accessPackage/id eq '…'`) and shown on `$expand`. */
export const ACCESS_PACKAGE_REQUEST = {
  beta: entityType('microsoft.graph.accessPackageAssignmentRequest', Type.Object({
    ...RequestFields,
    requestState: Type.String(),
    requestStatus: Type.String(),
    completedDate: Nullable(Type.String()),
    expirationDateTime: Type.Null(),
    isValidationOnly: Type.Boolean(),
    customExtensionHandlerInstances: Type.Array(Type.Unknown()),
    accessPackageAssignment: AssignmentTarget,
  }), { accessPackage: null, accessPackageAssignment: null, requestor: null }),
  'v1.0': entityType('microsoft.graph.accessPackageAssignmentRequest', Type.Object({
    ...RequestFields,
    state: Type.String(),
    status: Type.String(),
    completedDateTime: Nullable(Type.String()),
    assignment: AssignmentTarget,
  }), { accessPackage: null, assignment: null, requestor: null }),
} as const;

export function accessPackageRequestShape(stored: StoredRequest, version: GraphVersion): Served<(typeof ACCESS_PACKAGE_REQUEST)[GraphVersion]> {
  const { request } = stored;
  const target = { targetId: request.principalId, assignmentPolicyId: request.target.scope, accessPackageId: request.target.resourceId };
  const common: Omit<ServedFields<typeof RequestFields>, 'requestType'> = {
    '@odata.type': '#microsoft.graph.accessPackageAssignmentRequest',
    id: request.id,
    createdDateTime: request.createdAt,
    justification: request.justification,
    schedule: scheduleInfoShape(stored),
    answers: Array.isArray(stored.extra.answers) ? stored.extra.answers as unknown[] : [],
    customExtensionCalloutInstances: [],
    accessPackage: { id: request.target.resourceId },
    requestor: { id: request.createdBy },
  };
  if (version === 'beta') {
    return {
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
    ...common,
    requestType: 'userAdd',
    state: emState(request.status, version),
    status: EM_STATE[request.status],
    completedDateTime: request.completedAt,
    assignment: target,
  };
}

const AssignmentFields = {
  id: Type.String(),
  expiredDateTime: Nullable(Type.String()),
  schedule: Type.Unknown(),
  accessPackage: Reference,
  target: Type.Object({ id: Type.String(), objectId: Type.String() }),
};

export const ACCESS_PACKAGE_ASSIGNMENT = {
  beta: entityType('microsoft.graph.accessPackageAssignment', Type.Object({
    ...AssignmentFields,
    catalogId: Nullable(Type.String()),
    accessPackageId: Type.String(),
    assignmentPolicyId: Type.String(),
    targetId: Type.String(),
    assignmentStatus: Type.String(),
    assignmentState: Type.String(),
    isExtended: Type.Boolean(),
    accessPackageAssignmentPolicy: Reference,
  }), { accessPackage: null, accessPackageAssignmentPolicy: null, target: null, accessPackageAssignmentRequests: null, accessPackageAssignmentResourceRoles: null }),
  'v1.0': entityType('microsoft.graph.accessPackageAssignment', Type.Object({
    ...AssignmentFields,
    state: Type.String(),
    status: Type.String(),
    customExtensionCalloutInstances: Type.Array(Type.Unknown()),
    assignmentPolicy: Reference,
  }), { accessPackage: null, assignmentPolicy: null, target: null }),
} as const;

/** A delivered access package: an active assignment produced by an approved request. */
export function accessPackageAssignmentShape(a: AssignmentRow, catalogId: string | null, version: GraphVersion): Served<(typeof ACCESS_PACKAGE_ASSIGNMENT)[GraphVersion]> {
  const schedule = standingScheduleShape(a.start_at, a.end_at);
  const common: ServedFields<typeof AssignmentFields> = { id: a.id, expiredDateTime: a.end_at, schedule, accessPackage: { id: a.resource_id }, target: { id: a.principal_id, objectId: a.principal_id } };
  if (version === 'beta') {
    return {
      ...common, catalogId, accessPackageId: a.resource_id, assignmentPolicyId: a.scope, targetId: a.principal_id,
      assignmentStatus: 'Delivered', assignmentState: 'Delivered', isExtended: false, accessPackageAssignmentPolicy: { id: a.scope },
    };
  }
  return { ...common, state: 'delivered', status: 'Delivered', customExtensionCalloutInstances: [], assignmentPolicy: { id: a.scope } };
}
