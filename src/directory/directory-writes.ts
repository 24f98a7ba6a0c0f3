import type { Db } from '../store/store.js';
import type { GroupRow, UserRow } from '../store/schema.js';
import type { User } from './directory-repo.js';

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export async function insertUsers(db: Db, rows: readonly UserRow[]): Promise<void> {
  for (const part of chunks(rows)) await db.insertInto('users').values(part).execute();
}

export type UserChanges = Partial<Pick<UserRow, 'user_principal_name' | 'upn_lower' | 'display_name' | 'mail' | 'job_title' | 'manager_id'>>;

export async function updateUserRow(db: Db, id: string, changes: UserChanges): Promise<void> {
  if (Object.keys(changes).length > 0) await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/** Removes a user with their memberships; their reports keep no manager, as in Entra ID. */
export async function deleteUserRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('group_members').where('member_id', '=', id).execute();
  await db.updateTable('users').set({ manager_id: null }).where('manager_id', '=', id).execute();
  await db.deleteFrom('users').where('id', '=', id).execute();
}

export async function usersByUpn(db: Db, upns: readonly string[]): Promise<Map<string, User>> {
  const found = new Map<string, User>();
  for (const part of chunks([...new Set(upns.map((u) => u.toLowerCase()))])) {
    for (const row of await db.selectFrom('users').selectAll().where('upn_lower', 'in', part).execute()) found.set(row.upn_lower, row);
  }
  return found;
}

/** A group becomes a directory object and a PIM-for-groups target at once, as the tenant seed makes them. */
export async function insertGroups(db: Db, rows: readonly GroupRow[]): Promise<void> {
  for (const part of chunks(rows)) {
    await db.insertInto('groups').values(part).execute();
    await db.insertInto('resources').values(part.map((g) => ({ id: g.id, family: 'group', display_name: g.display_name, description: g.description, extra: '{}' }))).execute();
  }
}

export async function allGroups(db: Db): Promise<GroupRow[]> {
  return db.selectFrom('groups').selectAll().execute();
}

export async function isMember(db: Db, groupId: string, memberId: string): Promise<boolean> {
  const row = await db.selectFrom('group_members').select('member_id').where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
  return row !== undefined;
}

/** The pairs among `pairs` that are not memberships yet. */
export async function missingMemberships(db: Db, pairs: readonly { groupId: string; memberId: string }[]): Promise<{ groupId: string; memberId: string }[]> {
  const existing = new Set<string>();
  for (const part of chunks([...new Set(pairs.map((p) => p.memberId))])) {
    const rows = await db.selectFrom('group_members').select(['group_id', 'member_id']).where('member_id', 'in', part).execute();
    for (const r of rows) existing.add(`${r.group_id}|${r.member_id}`);
  }
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const key = `${p.groupId}|${p.memberId}`;
    if (existing.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function insertMemberships(db: Db, pairs: readonly { groupId: string; memberId: string }[]): Promise<void> {
  for (const part of chunks(pairs)) await db.insertInto('group_members').values(part.map((p) => ({ group_id: p.groupId, member_id: p.memberId }))).execute();
}

export async function deleteMembership(db: Db, groupId: string, memberId: string): Promise<void> {
  await db.deleteFrom('group_members').where('group_id', '=', groupId).where('member_id', '=', memberId).execute();
}
