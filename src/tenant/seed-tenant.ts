import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyEligibilityChange } from '../app/eligibility.js';
import type { Services } from '../app/services.js';
import { insertPolicy } from '../store/policies-repo.js';
import type { Db } from '../store/store.js';
import { type TenantFile, TenantFileError, parseTenantFile } from './tenant-file.js';

export const DEMO_TENANT_PATH = fileURLToPath(new URL('../../tenants/demo.json', import.meta.url));

/** Reads and checks a tenant file (JSON only); errors name the file and the bad field's path. */
export function loadTenantFile(path: string): TenantFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new TenantFileError(`${path}: not valid JSON (${error.message}).`);
  }
  try {
    return parseTenantFile(parsed);
  } catch (error) {
    if (error instanceof TenantFileError) throw new TenantFileError(`${path}: ${error.message}`, error.path);
    throw error;
  }
}

export async function insertTenant(tx: Db, tenant: TenantFile, now: string, newId: () => string): Promise<void> {
  const users = tenant.users.map((u) => ({
    id: u.id.toLowerCase(), user_principal_name: u.userPrincipalName, upn_lower: u.userPrincipalName.toLowerCase(),
    display_name: u.displayName, mail: u.mail ?? u.userPrincipalName, job_title: u.jobTitle ?? null, manager_id: u.managerId?.toLowerCase() ?? null, created_at: now,
  }));
  if (users.length) await tx.insertInto('users').values(users).execute();
  for (const g of tenant.groups) {
    await tx.insertInto('groups').values({ id: g.id, display_name: g.displayName, description: g.description ?? null, mail_nickname: g.displayName.replace(/\W+/g, ''), created_at: now }).execute();
    if (g.members.length) await tx.insertInto('group_members').values(g.members.map((m) => ({ group_id: g.id, member_id: m }))).execute();
    await tx.insertInto('resources').values({ id: g.id, family: 'group', display_name: g.displayName, description: g.description ?? null, extra: '{}' }).execute();
  }
  const resources = [
    ...tenant.directoryRoles.map((r) => ({ id: r.id, family: 'directoryRole', display_name: r.displayName, description: r.description ?? null, extra: JSON.stringify({ templateId: r.id }) })),
    ...tenant.azureRoles.map((r) => ({ id: r.id, family: 'azureRole', display_name: r.displayName, description: r.description ?? null, extra: '{}' })),
    ...tenant.catalogs.map((c) => ({ id: c.id, family: 'catalog', display_name: c.displayName, description: c.description ?? null, extra: '{}' })),
    ...tenant.accessPackages.map((p) => ({ id: p.id, family: 'accessPackage', display_name: p.displayName, description: p.description ?? null, extra: JSON.stringify({ catalogId: p.catalogId, assignmentPolicyId: p.assignmentPolicyId, assignmentPolicyName: p.assignmentPolicyName }) })),
  ];
  if (resources.length) await tx.insertInto('resources').values(resources).execute();
  for (const p of tenant.policies) {
    await insertPolicy(tx, {
      policy: { id: p.id, version: 1, approval: p.approval, activation: p.activation },
      target: { family: p.family, resourceId: p.resourceId, scope: p.scope }, displayName: p.displayName, now, by: null,
    });
  }
  // Through the same rules an administrator's eligibility request goes through; the seed writes no audit.
  for (const e of tenant.eligibilities) {
    await applyEligibilityChange(tx, newId, null, {
      action: 'adminAssign', target: { family: e.family, resourceId: e.resourceId, scope: e.scope }, principalId: e.principalId.toLowerCase(),
      justification: null, startDateTime: null, expiration: { type: 'noExpiration' },
    }, now);
  }
  const assignments = tenant.assignments.map((a) => ({ id: newId(), family: a.family, request_id: null, principal_id: a.principalId, resource_id: a.resourceId, scope: a.scope, start_at: now, end_at: null, status: 'Active', created_at: now, ended_at: null }));
  if (assignments.length) await tx.insertInto('assignments').values(assignments).execute();
  await tx.insertInto('meta').values({ key: 'tenant', value: JSON.stringify(tenant.tenant) }).execute();
}

/**
 * Seeds a tenant into an empty store, once: the `tenant` meta row doubles as the marker, so a
 * restart (or a second instance racing the first) leaves an existing store untouched.
 */
export async function seedTenantOnce(services: Services, tenant: TenantFile): Promise<boolean> {
  try {
    return await services.store.transaction(async (tx) => {
      const seeded = await tx.selectFrom('meta').select('value').where('key', '=', 'tenant').executeTakeFirst();
      if (seeded) return false;
      // Seeded data predates any clock move: the earliest instant the clock can show is real now.
      await insertTenant(tx, tenant, new Date().toISOString(), services.newId);
      return true;
    });
  } catch (error) {
    const again = await services.store.db.selectFrom('meta').select('value').where('key', '=', 'tenant').executeTakeFirst();
    if (again) return false;
    throw error;
  }
}

export async function tenantInfo(db: Db): Promise<TenantFile['tenant'] | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'tenant').executeTakeFirst();
  return row ? JSON.parse(row.value) : null;
}
