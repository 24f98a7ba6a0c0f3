import type { Policy } from '../domain/policy.js';
import type { Target } from '../domain/request.js';
import type { PolicyRow, ResourceRow } from './schema.js';
import type { Db } from './store.js';

export interface StoredPolicy {
  readonly policy: Policy;
  readonly target: Target;
  readonly displayName: string | null;
  readonly updatedAt: string;
}

function toStored(row: PolicyRow): StoredPolicy {
  const settings = JSON.parse(row.settings) as Omit<Policy, 'id' | 'version'>;
  return {
    policy: { ...settings, id: row.id, version: row.version },
    target: { family: row.family as Target['family'], resourceId: row.resource_id, scope: row.scope },
    displayName: row.display_name,
    updatedAt: row.updated_at,
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
