import type { TenantFile } from './tenant-file.js';

/** One mistake in a tenant file, at the JSON Pointer of the field that holds it. */
export interface TenantProblem {
  readonly path: string;
  readonly message: string;
}

type Family = TenantFile['policies'][number]['family'];
type ApproverRef = TenantFile['policies'][number]['approval']['stages'][number]['primaryApprovers'][number];

function idSet(items: readonly { id: string }[]): Set<string> {
  return new Set(items.map((i) => i.id.toLowerCase()));
}

/**
 * What the schema cannot say: every id a file refers to is defined in the same file, and no id is
 * defined twice. The store would otherwise accept an approver nobody can be, or fail half-seeded.
 */
export function referenceProblems(tenant: TenantFile): TenantProblem[] {
  const problems: TenantProblem[] = [];
  const users = idSet(tenant.users);
  const groups = idSet(tenant.groups);
  const catalogs = idSet(tenant.catalogs);
  const resources: Record<Family, Set<string>> = {
    directoryRole: idSet(tenant.directoryRoles),
    group: groups,
    accessPackage: idSet(tenant.accessPackages),
    azureRole: idSet(tenant.azureRoles),
  };
  const resourceNames: Record<Family, string> = { directoryRole: 'directoryRoles', group: 'groups', accessPackage: 'accessPackages', azureRole: 'azureRoles' };
  const expect = (ok: boolean, path: string, message: string) => {
    if (!ok) problems.push({ path, message });
  };
  const has = (set: Set<string>, id: string) => set.has(id.toLowerCase());

  const unique = (items: readonly Record<string, unknown>[], key: string, where: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const value = String(item[key]).toLowerCase();
      expect(!seen.has(value), `/${where}/${i}/${key}`, `'${String(item[key])}' is defined more than once in ${where}`);
      seen.add(value);
    });
  };
  unique(tenant.users, 'id', 'users');
  unique(tenant.users, 'userPrincipalName', 'users');
  unique(tenant.groups, 'id', 'groups');
  unique(tenant.directoryRoles, 'id', 'directoryRoles');
  unique(tenant.azureRoles, 'id', 'azureRoles');
  unique(tenant.catalogs, 'id', 'catalogs');
  unique(tenant.accessPackages, 'id', 'accessPackages');
  unique(tenant.policies, 'id', 'policies');

  tenant.users.forEach((u, i) => {
    if (u.managerId === undefined) return;
    expect(has(users, u.managerId), `/users/${i}/managerId`, `no user '${u.managerId}' in users`);
    expect(u.managerId.toLowerCase() !== u.id.toLowerCase(), `/users/${i}/managerId`, 'a user cannot be their own manager');
  });
  tenant.groups.forEach((g, i) => g.members.forEach((m, j) => {
    expect(has(users, m) || has(groups, m), `/groups/${i}/members/${j}`, `no user or group '${m}'`);
  }));
  tenant.accessPackages.forEach((p, i) => expect(has(catalogs, p.catalogId), `/accessPackages/${i}/catalogId`, `no catalog '${p.catalogId}' in catalogs`));

  const approver = (ref: ApproverRef, path: string) => {
    if (ref.type === 'singleUser') expect(has(users, ref.userId), `${path}/userId`, `no user '${ref.userId}' in users`);
    if (ref.type === 'groupMembers') expect(has(groups, ref.groupId), `${path}/groupId`, `no group '${ref.groupId}' in groups`);
  };
  tenant.policies.forEach((p, i) => {
    expect(has(resources[p.family], p.resourceId), `/policies/${i}/resourceId`, `no ${p.family} '${p.resourceId}' in ${resourceNames[p.family]}`);
    p.approval.stages.forEach((stage, s) => {
      const at = `/policies/${i}/approval/stages/${s}`;
      stage.primaryApprovers.forEach((ref, r) => approver(ref, `${at}/primaryApprovers/${r}`));
      stage.escalationApprovers.forEach((ref, r) => approver(ref, `${at}/escalationApprovers/${r}`));
    });
  });
  for (const where of ['eligibilities', 'assignments'] as const) {
    tenant[where].forEach((e, i) => {
      expect(has(users, e.principalId) || has(groups, e.principalId), `/${where}/${i}/principalId`, `no user or group '${e.principalId}'`);
      expect(has(resources[e.family], e.resourceId), `/${where}/${i}/resourceId`, `no ${e.family} '${e.resourceId}' in ${resourceNames[e.family]}`);
    });
  }
  return problems;
}
