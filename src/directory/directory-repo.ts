import type { ExpressionBuilder } from 'kysely';
import { ADMIN_ROLE_IDS } from '../domain/directory-rules.js';
import type { Instant } from '../domain/time.js';
import type { Db } from '../store/store.js';
import type { Database, GroupRow, UserRow } from '../store/schema.js';

export type User = UserRow;
export type Group = GroupRow;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** The column a user key names: an object id when it is one (and may be), else a userPrincipalName. */
function userKeyColumn(idOrUpn: string, upnOnly: boolean): 'users.id' | 'users.upn_lower' {
  return !upnOnly && isGuid(idOrUpn) ? 'users.id' : 'users.upn_lower';
}

/** A user by object id or by userPrincipalName, as Graph's `/users/{id | userPrincipalName}` resolves. */
export async function findUser(db: Db, idOrUpn: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where(userKeyColumn(idOrUpn, false), '=', idOrUpn.toLowerCase()).executeTakeFirst();
}

/** Whether the user of the row holds an administering role at `now`. */
function holdsAdminRole(eb: ExpressionBuilder<Database, 'users'>, now: Instant) {
  return eb.exists(eb.selectFrom('assignments').select('assignments.id')
    .whereRef('assignments.principal_id', '=', 'users.id').where('assignments.family', '=', 'directoryRole')
    .where('assignments.resource_id', 'in', [...ADMIN_ROLE_IDS]).where('assignments.scope', '=', '/')
    .where('assignments.status', '=', 'Active').where('assignments.start_at', '<=', now)
    .where((inner) => inner.or([inner('assignments.end_at', 'is', null), inner('assignments.end_at', '>', now)])));
}

/**
 * A user by object id or sign-in name (by sign-in name only when `upnOnly`), and whether they
 * administer Signoff at `now`: a caller is found and classed in one query.
 */
export async function findCaller(db: Db, idOrUpn: string, now: Instant, { upnOnly = false } = {}): Promise<(User & { isAdmin: boolean }) | undefined> {
  const q = db.selectFrom('users').selectAll('users').select((eb) => holdsAdminRole(eb, now).as('is_admin'));
  const row = await q.where(userKeyColumn(idOrUpn, upnOnly), '=', idOrUpn.toLowerCase()).executeTakeFirst();
  if (!row) return undefined;
  const { is_admin: admin, ...user } = row;
  // SQLite answers 0 or 1, PostgreSQL false or true.
  return { ...user, isAdmin: Boolean(admin) };
}

export async function getUsers(db: Db, ids: readonly string[]): Promise<Map<string, User>> {
  const unique = [...new Set(ids)].filter(Boolean);
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('users').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function listUsers(db: Db, limit: number, afterId: string | null): Promise<User[]> {
  let q = db.selectFrom('users').selectAll();
  if (afterId) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

export async function getGroup(db: Db, id: string): Promise<Group | undefined> {
  return db.selectFrom('groups').selectAll().where('id', '=', id.toLowerCase()).executeTakeFirst();
}

export async function listGroups(db: Db, limit: number, afterId: string | null): Promise<Group[]> {
  let q = db.selectFrom('groups').selectAll();
  if (afterId) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

/** Standing members plus principals whose PIM-for-groups membership is active at `now`. */
export async function groupMemberIds(db: Db, groupId: string, now: Instant): Promise<string[]> {
  const standing = await db.selectFrom('group_members').select('member_id').where('group_id', '=', groupId).execute();
  const activated = await db.selectFrom('assignments').select('principal_id')
    .where('family', '=', 'group').where('resource_id', '=', groupId).where('scope', '=', 'member')
    .where('status', '=', 'Active').where('start_at', '<=', now)
    .where((eb) => eb.or([eb('end_at', 'is', null), eb('end_at', '>', now)]))
    .execute();
  return [...new Set([...standing.map((r) => r.member_id), ...activated.map((r) => r.principal_id)])].sort();
}

/** The manager `level` steps up from the user (1 = direct manager), or null where the chain ends. */
export async function managerAt(db: Db, userId: string, level: number): Promise<string | null> {
  let current: string | null = userId;
  for (let i = 0; i < level && current; i++) {
    const row: { manager_id: string | null } | undefined = await db.selectFrom('users').select('manager_id').where('id', '=', current).executeTakeFirst();
    current = row?.manager_id ?? null;
  }
  return current;
}
