import type { Policy } from '../domain/policy.js';
import type { Target } from '../domain/request.js';
import type { PolicyRow, PolicyVersionRow, ResourceRow } from './schema.js';
import { type Db, WriteConflictError } from './store.js';

export interface StoredPolicy {
  readonly policy: Policy;
  readonly target: Target;
  readonly displayName: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

function toStored(row: PolicyRow): StoredPolicy {
  const settings = JSON.parse(row.settings) as Omit<Policy, 'id' | 'version'>;
  return {
    policy: { ...settings, id: row.id, version: row.version },
    target: { family: row.family as Target['family'], resourceId: row.resource_id, scope: row.scope },
    displayName: row.display_name,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export async function insertPolicy(db: Db, args: { policy: Policy; target: Target; displayName: string | null; now: string; by: string | null }): Promise<void> {
  const { id, version, ...settings } = args.policy;
  await db.insertInto('policies').values({
    id, version, family: args.target.family, resource_id: args.target.resourceId, scope: args.target.scope,
    display_name: args.displayName, settings: JSON.stringify(settings), updated_at: args.now, updated_by: args.by,
  }).execute();
}

/** The policy governing a target: an exact scope match first, then the tenant-wide one. */
export async function policyFor(db: Db, target: Target): Promise<StoredPolicy | null> {
  const rows = await db.selectFrom('policies').selectAll()
    .where('family', '=', target.family).where('resource_id', '=', target.resourceId)
    .where('scope', 'in', [target.scope, '/'])
    .execute();
  const row = rows.find((r) => r.scope === target.scope) ?? rows.find((r) => r.scope === '/');
  return row ? toStored(row) : null;
}

export async function getPolicy(db: Db, id: string): Promise<StoredPolicy | null> {
  const row = await db.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function listPolicies(db: Db, family?: Target['family']): Promise<StoredPolicy[]> {
  let q = db.selectFrom('policies').selectAll();
  if (family) q = q.where('family', '=', family);
  return (await q.orderBy('id').execute()).map(toStored);
}

/**
 * Replaces a policy's settings with its next version, only if nobody changed it since it was read,
 * and keeps both the old and the new version in the history.
 */
export async function savePolicyVersion(db: Db, current: StoredPolicy, next: Policy, now: string, by: string | null): Promise<StoredPolicy> {
  const { id, version, ...settings } = next;
  const result = await db.updateTable('policies')
    .set({ version, settings: JSON.stringify(settings), updated_at: now, updated_by: by })
    .where('id', '=', id).where('version', '=', current.policy.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new WriteConflictError(`Policy ${id} changed concurrently.`);
  const { id: _id, version: previous, ...before } = current.policy;
  await db.insertInto('policy_versions')
    .values([
      { policy_id: id, version: previous, settings: JSON.stringify(before), updated_at: current.updatedAt, updated_by: current.updatedBy },
      { policy_id: id, version, settings: JSON.stringify(settings), updated_at: now, updated_by: by },
    ])
    .onConflict((oc) => oc.columns(['policy_id', 'version']).doNothing())
    .execute();
  return { ...current, policy: next, updatedAt: now, updatedBy: by };
}

export async function listPolicyVersions(db: Db, policyId: string): Promise<PolicyVersionRow[]> {
  return db.selectFrom('policy_versions').selectAll().where('policy_id', '=', policyId).orderBy('version', 'desc').execute();
}

export async function getResource(db: Db, family: Target['family'], id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('family', '=', family).where('id', '=', id).executeTakeFirst();
}

export async function listResources(db: Db, family: Target['family']): Promise<ResourceRow[]> {
  return db.selectFrom('resources').selectAll().where('family', '=', family).orderBy('display_name').execute();
}

export async function isEligible(db: Db, target: Target, principalId: string, now: string): Promise<boolean> {
  const row = await db.selectFrom('eligibilities').select('id')
    .where('principal_id', '=', principalId).where('family', '=', target.family).where('resource_id', '=', target.resourceId)
    .where('scope', '=', target.scope).where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
    .executeTakeFirst();
  return row !== undefined;
}
