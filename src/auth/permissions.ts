/**
 * Which token permissions allow each route, as Microsoft Graph documents them: any one of the
 * listed delegated scopes (`scp`) or application roles (`roles`) suffices, least privileged first.
 * `application: null` is Microsoft's "Application: Not supported" (the approver's own decision,
 * reads of approvals, `/me`). Graph routes are keyed by method and route pattern without the
 * version prefix, Signoff's API without `/signoff/v1`, ARM by operation id. A route missing here
 * is refused: the table is the single place where access to an endpoint is granted.
 */
export interface Permission {
  readonly delegated: readonly string[];
  readonly application: readonly string[] | null;
  /** Any verified token: the route checks nothing itself and each thing it does is checked on its own (`$batch`). */
  readonly anyCaller?: true;
}

/** What a verified token grants: a user's delegated scopes, or an application's roles. */
export type Grant =
  | { readonly kind: 'delegated'; readonly scopes: readonly string[] }
  | { readonly kind: 'application'; readonly roles: readonly string[] };

const both = (names: readonly string[]): Permission => ({ delegated: names, application: names });
const delegatedOnly = (names: readonly string[]): Permission => ({ delegated: names, application: null });

const DIRECTORY_WRITE_ALL = 'Directory.ReadWrite.All';
const USER_READ = ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', DIRECTORY_WRITE_ALL];
const USER_WRITE = ['User.ReadWrite.All', DIRECTORY_WRITE_ALL];
const GROUP_READ = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', DIRECTORY_WRITE_ALL];
const GROUP_WRITE = ['Group.Create', 'Group.ReadWrite.All', DIRECTORY_WRITE_ALL];
const MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', DIRECTORY_WRITE_ALL];
const AUDIT_READ = ['AuditLog.Read.All'];

const ROLE_ASSIGNMENT_READ = ['RoleAssignmentSchedule.Read.Directory', 'RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleAssignmentSchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'];
const ROLE_ASSIGNMENT_WRITE = ['RoleAssignmentSchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'];
const ROLE_ELIGIBILITY_READ = ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'];
const ROLE_ELIGIBILITY_WRITE = ['RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'];
const ROLE_DEFINITION_READ = ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', DIRECTORY_WRITE_ALL];

// One policy route serves directory roles and groups (`scopeType`), so either family's scope opens it.
const POLICY_READ = ['RoleManagementPolicy.Read.Directory', 'RoleManagementPolicy.Read.AzureADGroup', 'RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleManagementPolicy.ReadWrite.Directory', 'RoleManagementPolicy.ReadWrite.AzureADGroup', 'RoleManagement.ReadWrite.Directory'];
const POLICY_WRITE = ['RoleManagementPolicy.ReadWrite.Directory', 'RoleManagementPolicy.ReadWrite.AzureADGroup', 'RoleManagement.ReadWrite.Directory'];

const GROUP_ASSIGNMENT_READ = ['PrivilegedAssignmentSchedule.Read.AzureADGroup', 'PrivilegedAccess.Read.AzureADGroup', 'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup', 'PrivilegedAccess.ReadWrite.AzureADGroup'];
const GROUP_ASSIGNMENT_WRITE = ['PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup', 'PrivilegedAccess.ReadWrite.AzureADGroup'];
const GROUP_ELIGIBILITY_READ = ['PrivilegedEligibilitySchedule.Read.AzureADGroup', 'PrivilegedAccess.Read.AzureADGroup', 'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup', 'PrivilegedAccess.ReadWrite.AzureADGroup'];

const GROUP_ELIGIBILITY_WRITE = ['PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup', 'PrivilegedAccess.ReadWrite.AzureADGroup'];

const ENTITLEMENT_READ = ['EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All'];
const ENTITLEMENT_WRITE = ['EntitlementManagement.ReadWrite.All'];

/** Signoff's own scope for its webhook subscriptions (Graph has no equivalent resource). */
export const WEBHOOKS_SCOPE = 'Signoff.Webhooks.ReadWrite.All';

/** Approvals: read by delegated scope only; decided only by a signed-in approver. */
function approvalRoutes(path: string, read: readonly string[], write: readonly string[]): Record<string, Permission> {
  return {
    [`GET ${path}/:id`]: delegatedOnly(read),
    [`GET ${path}/:id/:child`]: delegatedOnly(read),
    [`GET ${path}/:id/:child/:stepId`]: delegatedOnly(read),
    [`PATCH ${path}/:id/:child/:stepId`]: delegatedOnly(write),
  };
}

/** A schedule-request collection: create, list, get and cancel. */
function requestRoutes(path: string, read: readonly string[], write: readonly string[], cancel: Permission): Record<string, Permission> {
  return {
    [`POST ${path}`]: both(write),
    [`GET ${path}`]: both(read),
    [`GET ${path}/:id`]: both(read),
    [`POST ${path}/:id/cancel`]: cancel,
  };
}

/** An eligibility schedule-request collection: create, list and get (changes apply at once, so nothing to cancel). */
function eligibilityRequestRoutes(path: string, read: readonly string[], write: readonly string[]): Record<string, Permission> {
  return { [`POST ${path}`]: both(write), [`GET ${path}`]: both(read), [`GET ${path}/:id`]: both(read) };
}

function readable(paths: readonly string[], names: readonly string[]): Record<string, Permission> {
  return Object.fromEntries(paths.map((p) => [`GET ${p}`, both(names)]));
}

const ROLES = '/roleManagement/directory';
const GROUPS = '/identityGovernance/privilegedAccess/group';
const EM = '/identityGovernance/entitlementManagement';
const POLICIES = '/policies/roleManagementPolicies';

/** Entitlement management under either version's names (beta `accessPackage…`, v1.0 shorter). */
function entitlementRoutes(names: { policies: string; requests: string; assignments: string; catalogs: string }): Record<string, Permission> {
  return {
    ...readable([`${EM}/${names.policies}`, `${EM}/${names.policies}/:id`, `${EM}/${names.assignments}`, `${EM}/${names.catalogs}`, `${EM}/${names.catalogs}/:id`], ENTITLEMENT_READ),
    [`PUT ${EM}/${names.policies}/:id`]: both(ENTITLEMENT_WRITE),
    // Microsoft documents cancel as delegated only.
    ...requestRoutes(`${EM}/${names.requests}`, ENTITLEMENT_READ, ENTITLEMENT_WRITE, delegatedOnly(ENTITLEMENT_WRITE)),
  };
}

export const GRAPH_PERMISSIONS: Readonly<Record<string, Permission>> = {
  // Each request of a batch is authorized as if it came alone.
  'POST /$batch': { delegated: [], application: [], anyCaller: true },
  'GET /me': delegatedOnly(['User.Read', 'User.ReadWrite', ...USER_READ]),
  ...readable(['/users', '/users/:id'], USER_READ),
  'GET /users/:id/manager': both(USER_READ.filter((s) => s !== 'User.ReadBasic.All')),
  'POST /users': both(USER_WRITE),
  'PATCH /users/:id': both(USER_WRITE),
  'DELETE /users/:id': both(USER_WRITE),
  'PUT /users/:id/manager/$ref': both(USER_WRITE),
  ...readable(['/groups', '/groups/:id', '/groups/:id/members'], GROUP_READ),
  'POST /groups': both(GROUP_WRITE),
  'POST /groups/:id/members/$ref': both(MEMBER_WRITE),
  'DELETE /groups/:id/members/:memberId/$ref': both(MEMBER_WRITE),
  'GET /auditLogs/directoryAudits': both(AUDIT_READ),

  ...requestRoutes(`${ROLES}/roleAssignmentScheduleRequests`, ROLE_ASSIGNMENT_READ, ROLE_ASSIGNMENT_WRITE, both(ROLE_ASSIGNMENT_WRITE)),
  ...readable([`${ROLES}/roleAssignmentScheduleInstances`, `${ROLES}/roleAssignmentSchedules`], ROLE_ASSIGNMENT_READ),
  ...readable([`${ROLES}/roleEligibilityScheduleInstances`, `${ROLES}/roleEligibilitySchedules`], ROLE_ELIGIBILITY_READ),
  ...eligibilityRequestRoutes(`${ROLES}/roleEligibilityScheduleRequests`, ROLE_ELIGIBILITY_READ, ROLE_ELIGIBILITY_WRITE),
  ...readable([`${ROLES}/roleDefinitions`], ROLE_DEFINITION_READ),
  ...approvalRoutes(`${ROLES}/roleAssignmentApprovals`, ROLE_ASSIGNMENT_READ, ROLE_ASSIGNMENT_WRITE),

  ...readable([POLICIES, `${POLICIES}/:id`, `${POLICIES}/:id/rules`, `${POLICIES}/:id/rules/:ruleId`, `${POLICIES}/:id/effectiveRules`, `${POLICIES}/:id/effectiveRules/:ruleId`], POLICY_READ),
  [`PATCH ${POLICIES}/:id/rules/:ruleId`]: both(POLICY_WRITE),
  ...readable(['/policies/roleManagementPolicyAssignments', '/policies/roleManagementPolicyAssignments/:id'], POLICY_READ),

  ...requestRoutes(`${GROUPS}/assignmentScheduleRequests`, GROUP_ASSIGNMENT_READ, GROUP_ASSIGNMENT_WRITE, both(GROUP_ASSIGNMENT_WRITE)),
  ...readable([`${GROUPS}/assignmentScheduleInstances`, `${GROUPS}/assignmentSchedules`], GROUP_ASSIGNMENT_READ),
  ...readable([`${GROUPS}/eligibilityScheduleInstances`, `${GROUPS}/eligibilitySchedules`], GROUP_ELIGIBILITY_READ),
  ...eligibilityRequestRoutes(`${GROUPS}/eligibilityScheduleRequests`, GROUP_ELIGIBILITY_READ, GROUP_ELIGIBILITY_WRITE),
  ...approvalRoutes(`${GROUPS}/assignmentApprovals`, GROUP_ASSIGNMENT_READ, GROUP_ASSIGNMENT_WRITE),

  ...entitlementRoutes({ policies: 'accessPackageAssignmentPolicies', requests: 'accessPackageAssignmentRequests', assignments: 'accessPackageAssignments', catalogs: 'accessPackageCatalogs' }),
  ...entitlementRoutes({ policies: 'assignmentPolicies', requests: 'assignmentRequests', assignments: 'assignments', catalogs: 'catalogs' }),
  ...readable([`${EM}/accessPackages`, `${EM}/accessPackages/:id`], ENTITLEMENT_READ),
  ...approvalRoutes(`${EM}/accessPackageAssignmentApprovals`, ENTITLEMENT_READ, ENTITLEMENT_WRITE),
};

/** Signoff's own API reuses Graph's names where it exposes the same thing. */
export const SIGNOFF_API_PERMISSIONS: Readonly<Record<string, Permission>> = {
  ...Object.fromEntries(['POST /webhooks', 'GET /webhooks', 'GET /webhooks/:id', 'DELETE /webhooks/:id', 'GET /webhooks/:id/deliveries', 'POST /webhooks/deliveries/:id/redeliver']
    .map((key) => [key, both([WEBHOOKS_SCOPE])])),
  ...readable(['/audit', '/audit/export', '/audit/verify'], AUDIT_READ),
  ...readable(['/policies', '/policies/:id', '/policies/:id/versions'], [...POLICY_READ, ...ENTITLEMENT_READ]),
  'POST /policies/simulate': both([...POLICY_READ, ...ENTITLEMENT_READ]),
  'PATCH /policies/:id': both([...POLICY_WRITE, ...ENTITLEMENT_WRITE]),
  'POST /directory/import': both([DIRECTORY_WRITE_ALL]),
  // Emergency access is asked for as a role or group activation is; its settings are policy settings.
  'POST /breakGlass/activations': delegatedOnly([...ROLE_ASSIGNMENT_WRITE, ...GROUP_ASSIGNMENT_WRITE]),
  ...readable(['/breakGlass/activations', '/breakGlass/activations/:id'], [...ROLE_ASSIGNMENT_READ, ...GROUP_ASSIGNMENT_READ]),
  ...readable(['/breakGlass/policies/:id'], POLICY_READ),
  'PUT /breakGlass/policies/:id': both(POLICY_WRITE),
  // A reviewer's own decisions: whoever may read approvals of any family may list theirs.
  ...readable(['/approvals/decided'], [...ROLE_ASSIGNMENT_READ, ...GROUP_ASSIGNMENT_READ, ...ENTITLEMENT_READ]),
};

/**
 * Azure Resource Manager grants one delegated scope to every operation and leaves the rest to
 * Azure RBAC; an application has no approver identity there, so app-only tokens are refused.
 */
const ARM_USER = delegatedOnly(['user_impersonation']);
export const ARM_PERMISSIONS: Readonly<Record<string, Permission>> = Object.fromEntries([
  'Operations_List', 'RoleAssignmentApproval_List', 'RoleAssignmentApproval_GetById', 'RoleAssignmentApprovalSteps_List',
  'RoleAssignmentApprovalStep_GetById', 'RoleAssignmentApprovalStep_Patch', 'RoleAssignmentApprovalStep_Put',
  'RoleAssignmentScheduleRequests_Create', 'RoleAssignmentScheduleRequests_Get',
].map((id) => [id, ARM_USER]));

/** The table key of a routed request: HEAD is answered by the GET route. */
export function routeKey(method: string, path: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${path}`;
}

/** Why `grant` does not open an operation that needs `permission`, or null when it does. */
export function missingPermission(grant: Grant, permission: Permission | undefined, operation: string): string | null {
  if (!permission) return `Insufficient privileges to complete the operation. No permission opens ${operation}.`;
  if (permission.anyCaller) return null;
  if (grant.kind === 'application') {
    if (permission.application === null) return `Insufficient privileges to complete the operation. ${operation} does not support application permissions; call it with a signed-in user's token.`;
    if (permission.application.some((r) => grant.roles.includes(r))) return null;
    return `Insufficient privileges to complete the operation. ${operation} requires one of the application permissions: ${permission.application.join(', ')}.`;
  }
  if (permission.delegated.some((s) => grant.scopes.includes(s))) return null;
  return `Insufficient privileges to complete the operation. ${operation} requires one of the delegated permissions: ${permission.delegated.join(', ')}.`;
}
