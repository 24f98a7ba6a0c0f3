import { usageError } from './exit-codes.js';
import { ApiCallError, type SignoffClient } from './http-client.js';

export type CliFamily = 'role' | 'group' | 'accessPackage';
export const CLI_FAMILIES: readonly CliFamily[] = ['role', 'group', 'accessPackage'];

/** Where each family's requests and approvals live in Graph's beta API, and how to read its requests. */
export interface FamilyApi {
  readonly family: CliFamily;
  readonly requests: string;
  /** The caller's own requests. */
  readonly mine: string;
  readonly approvals: string;
  /** Query string that brings the navigation properties `target` and `principal` read (entitlement management serves them only on $expand). */
  readonly expand: string;
  readonly target: (request: any) => string;
  readonly status: (request: any) => string;
  readonly principal: (request: any) => string;
}

export const FAMILY_APIS: Readonly<Record<CliFamily, FamilyApi>> = {
  role: {
    family: 'role',
    requests: '/beta/roleManagement/directory/roleAssignmentScheduleRequests',
    mine: "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')",
    approvals: '/beta/roleManagement/directory/roleAssignmentApprovals',
    expand: '',
    target: (r) => `${r.roleDefinitionId} at ${r.directoryScopeId ?? '/'}`,
    status: (r) => r.status,
    principal: (r) => r.principalId,
  },
  group: {
    family: 'group',
    requests: '/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
    mine: "/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='principal')",
    approvals: '/beta/identityGovernance/privilegedAccess/group/assignmentApprovals',
    expand: '',
    target: (r) => `${r.groupId} (${r.accessId})`,
    status: (r) => r.status,
    principal: (r) => r.principalId,
  },
  accessPackage: {
    family: 'accessPackage',
    requests: '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentRequests',
    mine: "/beta/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/filterByCurrentUser(on='target')",
    approvals: '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals',
    expand: '?$expand=accessPackage,accessPackageAssignment,requestor',
    target: (r) => r.accessPackageAssignment?.accessPackageId ?? r.accessPackage?.id ?? r.accessPackageId ?? '',
    status: (r) => r.requestState ?? r.state ?? r.status,
    principal: (r) => r.accessPackageAssignment?.targetId ?? r.requestor?.id ?? r.target?.objectId ?? '',
  },
};

export function parseFamily(value: string): CliFamily {
  const found = CLI_FAMILIES.find((f) => f.toLowerCase() === value.toLowerCase());
  if (!found) throw usageError(`--family must be one of ${CLI_FAMILIES.join(', ')}, not '${value}'.`);
  return found;
}

export function familiesOf(option: string | undefined): FamilyApi[] {
  return option ? [FAMILY_APIS[parseFamily(option)]] : CLI_FAMILIES.map((f) => FAMILY_APIS[f]);
}

/**
 * Reads `path(api)` for each family and tags the items with it. A 404 from a family the user did
 * not name means this server does not serve that family (yet), so it is left out.
 */
export async function collectAcross<T>(client: SignoffClient, apis: readonly FamilyApi[], path: (api: FamilyApi) => string): Promise<{ api: FamilyApi; item: T }[]> {
  const results = await Promise.all(apis.map(async (api) => {
    try {
      return (await client.collect<T>(path(api))).map((item) => ({ api, item }));
    } catch (error) {
      if (apis.length > 1 && error instanceof ApiCallError && error.status === 404) return [];
      throw error;
    }
  }));
  return results.flat();
}

/** The first family whose `path(api, id)` answers; 404 everywhere means not found. */
export async function findAcross<T>(client: SignoffClient, apis: readonly FamilyApi[], path: (api: FamilyApi) => string): Promise<{ api: FamilyApi; item: T }> {
  let firstNotFound: ApiCallError | null = null;
  for (const api of apis) {
    try {
      return { api, item: await client.get<T>(path(api)) };
    } catch (error) {
      if (!(error instanceof ApiCallError && error.status === 404)) throw error;
      firstNotFound ??= error;
    }
  }
  throw firstNotFound!;
}
