import { type Group, type User, findUser, getGroup, isGuid } from '../directory/directory-repo.js';
import {
  type UserChanges, allGroups, deleteMembership, deleteUserRow, insertGroups, insertMemberships, insertUsers, isMember,
  missingMemberships, updateUserRow, usersByUpn,
} from '../directory/directory-writes.js';
import { groupProblem, userProblem } from '../domain/directory-rules.js';
import { DomainError } from '../domain/errors.js';
import type { DirectoryEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import type { Db } from '../store/store.js';
import type { GroupRow, UserRow } from '../store/schema.js';
import type { Caller } from './authorization.js';
import { recordDirectoryEvents } from './record-events.js';
import type { Actor, Services } from './services.js';

export interface NewUser {
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly jobTitle?: string | null;
  readonly mail?: string | null;
}

export type UserPatch = Partial<NewUser>;

export interface NewGroup {
  readonly displayName: string;
  readonly description?: string | null;
  readonly mailNickname?: string | null;
}

export interface ImportUser extends Partial<NewUser> {
  /** The manager's userPrincipalName. */
  readonly manager?: string | null;
  /** Group ids or display names; unknown names become new groups. */
  readonly groups?: readonly string[];
}

export interface ImportInput {
  readonly users: readonly ImportUser[];
  readonly groups?: readonly NewGroup[];
}

export interface ImportResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly groupsCreated: number;
  readonly membershipsAdded: number;
  readonly errors: readonly { index: number; userPrincipalName: string | null; message: string }[];
}

/** Audit events are written in slices so one statement stays under the stores' parameter limits. */
const EVENT_SLICE = 500;

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Insufficient privileges to complete the operation: only directory administrators may change the directory.');
}

function invalid(message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message);
}

function notFound(id: string): DomainError {
  return new DomainError('PRINCIPAL_NOT_FOUND', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function snapshot(u: UserRow): Record<string, unknown> {
  return { id: u.id, userPrincipalName: u.user_principal_name, displayName: u.display_name, jobTitle: u.job_title, mail: u.mail, managerId: u.manager_id };
}

function groupSnapshot(g: GroupRow): Record<string, unknown> {
  return { id: g.id, displayName: g.display_name, description: g.description };
}

async function record(tx: Db, services: Services, actor: Actor, events: readonly DirectoryEvent[], now: Instant): Promise<void> {
  for (let i = 0; i < events.length; i += EVENT_SLICE) await recordDirectoryEvents(tx, services, actor, events.slice(i, i + EVENT_SLICE), now);
}

/** Runs one admin-only directory change in a transaction with its events. */
async function adminChange<T>(services: Services, actor: Actor, caller: Caller, change: (tx: Db, now: Instant) => Promise<{ result: T; events: DirectoryEvent[] }>): Promise<T> {
  requireAdmin(caller);
  return services.store.transaction(async (tx) => {
    const now = services.clock.now();
    const { result, events } = await change(tx, now);
    await record(tx, services, actor, events, now);
    return result;
  });
}

function checkUser(fields: UserPatch): void {
  const problem = userProblem(fields);
  if (problem) throw invalid(problem);
}

async function assertUpnFree(tx: Db, upn: string, exceptId: string | null): Promise<void> {
  const holder = (await usersByUpn(tx, [upn])).get(upn.toLowerCase());
  if (holder && holder.id !== exceptId) throw invalid('Another object with the same value for property userPrincipalName already exists.');
}

async function requireUser(tx: Db, idOrUpn: string): Promise<User> {
  const user = await findUser(tx, idOrUpn);
  if (!user) throw notFound(idOrUpn);
  return user;
}

async function requireGroup(tx: Db, id: string): Promise<Group> {
  const group = await getGroup(tx, id);
  if (!group) throw notFound(id);
  return group;
}

function newUserRow(services: Services, input: NewUser, managerId: string | null, now: Instant): UserRow {
  return {
    id: services.newId(), user_principal_name: input.userPrincipalName, upn_lower: input.userPrincipalName.toLowerCase(),
    display_name: input.displayName, mail: input.mail ?? input.userPrincipalName, job_title: input.jobTitle ?? null, manager_id: managerId, created_at: now,
  };
}

function newGroupRow(services: Services, input: NewGroup, now: Instant): GroupRow {
  return {
    id: services.newId(), display_name: input.displayName, description: input.description ?? null,
    mail_nickname: input.mailNickname ?? input.displayName.replace(/\W+/g, ''), created_at: now,
  };
}

/** The fields of `patch` that differ from `user`, as column changes. */
function userChanges(user: UserRow, patch: UserPatch): UserChanges {
  const changes: UserChanges = {};
  if (patch.userPrincipalName !== undefined && patch.userPrincipalName !== user.user_principal_name) {
    changes.user_principal_name = patch.userPrincipalName;
    changes.upn_lower = patch.userPrincipalName.toLowerCase();
  }
  if (patch.displayName !== undefined && patch.displayName !== user.display_name) changes.display_name = patch.displayName;
  if (patch.jobTitle !== undefined && patch.jobTitle !== user.job_title) changes.job_title = patch.jobTitle;
  if (patch.mail !== undefined && patch.mail !== user.mail) changes.mail = patch.mail;
  return changes;
}

export async function createUser(services: Services, actor: Actor, caller: Caller, input: NewUser): Promise<User> {
  checkUser(input);
  return adminChange(services, actor, caller, async (tx, now) => {
    await assertUpnFree(tx, input.userPrincipalName, null);
    const row = newUserRow(services, input, null, now);
    await insertUsers(tx, [row]);
    return { result: row, events: [{ type: 'directory.userCreated', targetType: 'user', targetId: row.id, before: null, after: snapshot(row) }] };
  });
}

export async function updateUser(services: Services, actor: Actor, caller: Caller, idOrUpn: string, patch: UserPatch): Promise<void> {
  checkUser(patch);
  await adminChange(services, actor, caller, async (tx) => {
    const user = await requireUser(tx, idOrUpn);
    if (patch.userPrincipalName !== undefined) await assertUpnFree(tx, patch.userPrincipalName, user.id);
    const changes = userChanges(user, patch);
    await updateUserRow(tx, user.id, changes);
    const events: DirectoryEvent[] = Object.keys(changes).length === 0 ? [] : [{ type: 'directory.userUpdated', targetType: 'user', targetId: user.id, before: snapshot(user), after: snapshot({ ...user, ...changes }) }];
    return { result: undefined, events };
  });
}

export async function deleteUser(services: Services, actor: Actor, caller: Caller, idOrUpn: string): Promise<void> {
  await adminChange(services, actor, caller, async (tx) => {
    const user = await requireUser(tx, idOrUpn);
    await deleteUserRow(tx, user.id);
    return { result: undefined, events: [{ type: 'directory.userDeleted', targetType: 'user', targetId: user.id, before: snapshot(user), after: null }] };
  });
}

export async function setManager(services: Services, actor: Actor, caller: Caller, idOrUpn: string, managerId: string): Promise<void> {
  await adminChange(services, actor, caller, async (tx) => {
    const user = await requireUser(tx, idOrUpn);
    const manager = await requireUser(tx, managerId);
    if (manager.id === user.id) throw invalid('A user cannot be their own manager.');
    await updateUserRow(tx, user.id, { manager_id: manager.id });
    const events: DirectoryEvent[] = user.manager_id === manager.id ? [] : [{
      type: 'directory.managerChanged', targetType: 'user', targetId: user.id, before: { managerId: user.manager_id }, after: { managerId: manager.id },
    }];
    return { result: undefined, events };
  });
}

export async function createGroup(services: Services, actor: Actor, caller: Caller, input: NewGroup): Promise<Group> {
  const problem = groupProblem(input);
  if (problem) throw invalid(problem);
  return adminChange(services, actor, caller, async (tx, now) => {
    const row = newGroupRow(services, input, now);
    await insertGroups(tx, [row]);
    return { result: row, events: [{ type: 'directory.groupCreated', targetType: 'group', targetId: row.id, before: null, after: groupSnapshot(row) }] };
  });
}

export async function addGroupMember(services: Services, actor: Actor, caller: Caller, groupId: string, memberId: string): Promise<void> {
  await adminChange(services, actor, caller, async (tx) => {
    const group = await requireGroup(tx, groupId);
    const member = await requireUser(tx, memberId);
    if (await isMember(tx, group.id, member.id)) throw invalid("One or more added object references already exist for the following modified properties: 'members'.");
    await insertMemberships(tx, [{ groupId: group.id, memberId: member.id }]);
    return { result: undefined, events: [{ type: 'directory.memberAdded', targetType: 'group', targetId: group.id, before: null, after: { memberId: member.id } }] };
  });
}

export async function removeGroupMember(services: Services, actor: Actor, caller: Caller, groupId: string, memberId: string): Promise<void> {
  await adminChange(services, actor, caller, async (tx) => {
    const group = await requireGroup(tx, groupId);
    const member = await requireUser(tx, memberId);
    if (!(await isMember(tx, group.id, member.id))) throw notFound(`${group.id}/members/${member.id}`);
    await deleteMembership(tx, group.id, member.id);
    return { result: undefined, events: [{ type: 'directory.memberRemoved', targetType: 'group', targetId: group.id, before: { memberId: member.id }, after: null }] };
  });
}

// ---- bulk import ------------------------------------------------------------------------------

interface PlannedRow {
  readonly index: number;
  readonly input: ImportUser & { userPrincipalName: string };
  readonly upn: string;
  readonly existing: User | undefined;
  readonly id: string;
}

/** Rows that pass field checks and are not repeated in the batch; the others get their error. */
function plannableRows(users: readonly ImportUser[], fail: (index: number, upn: string | null, message: string) => void): { index: number; input: ImportUser & { userPrincipalName: string } }[] {
  const seen = new Set<string>();
  const out: { index: number; input: ImportUser & { userPrincipalName: string } }[] = [];
  users.forEach((input, index) => {
    const upn = input.userPrincipalName;
    if (!upn) return fail(index, null, 'userPrincipalName is required.');
    const problem = userProblem(input);
    if (problem) return fail(index, upn, problem);
    if (seen.has(upn.toLowerCase())) return fail(index, upn, `userPrincipalName '${upn}' appears more than once in this batch.`);
    seen.add(upn.toLowerCase());
    out.push({ index, input: input as ImportUser & { userPrincipalName: string } });
  });
  return out;
}

/**
 * Rows whose manager cannot be resolved fail, and so, transitively, do rows whose manager is such
 * a row: the loop ends once a pass fails nobody new, so it runs at most once per row.
 */
function dropUnresolvedManagers(rows: PlannedRow[], known: ReadonlyMap<string, User>, fail: (index: number, upn: string, message: string) => void): PlannedRow[] {
  let alive = rows;
  for (;;) {
    const inBatch = new Set(alive.map((r) => r.upn));
    const next = alive.filter((r) => {
      const manager = r.input.manager?.toLowerCase();
      if (!manager) return true;
      if (manager === r.upn) { fail(r.index, r.input.userPrincipalName, 'A user cannot be their own manager.'); return false; }
      if (inBatch.has(manager) || known.has(manager)) return true;
      fail(r.index, r.input.userPrincipalName, `Manager '${r.input.manager}' is not in the directory or in this import.`);
      return false;
    });
    if (next.length === alive.length) return next;
    alive = next;
  }
}

/**
 * Upserts users by userPrincipalName (with managers by UPN and group memberships by group id or
 * name) in one transaction. Rows that cannot be applied are reported, not fatal; memberships are
 * only ever added, so re-running an import is harmless.
 */
export async function importDirectory(services: Services, actor: Actor, caller: Caller, input: ImportInput): Promise<ImportResult> {
  const errors: { index: number; userPrincipalName: string | null; message: string }[] = [];
  const fail = (index: number, upn: string | null, message: string) => { errors.push({ index, userPrincipalName: upn, message }); };
  const candidates = plannableRows(input.users, fail);
  for (const g of input.groups ?? []) {
    const problem = groupProblem(g);
    if (problem) throw invalid(`groups: ${problem}`);
  }
  return adminChange(services, actor, caller, async (tx, now) => {
    const referenced = candidates.flatMap((c) => [c.input.userPrincipalName, ...(c.input.manager ? [c.input.manager] : [])]);
    const known = await usersByUpn(tx, referenced);
    const planned = dropUnresolvedManagers(candidates.map((c) => {
      const upn = c.input.userPrincipalName.toLowerCase();
      const existing = known.get(upn);
      return { ...c, upn, existing, id: existing?.id ?? services.newId() };
    }), known, fail);
    const idOf = new Map<string, string>([...[...known].map(([upn, u]) => [upn, u.id] as const), ...planned.map((r) => [r.upn, r.id] as const)]);

    const events: DirectoryEvent[] = [];
    const { groupIdFor, created: newGroups } = await groupResolver(tx, services, input.groups ?? [], now);
    const memberships: { groupId: string; memberId: string }[] = [];
    const newUsers: UserRow[] = [];
    let updated = 0;
    let unchanged = 0;
    for (const row of planned) {
      const groupIds: string[] = [];
      const unknownGroup = (row.input.groups ?? []).find((g) => { const id = groupIdFor(g); if (id) groupIds.push(id); return !id; });
      if (unknownGroup !== undefined) { fail(row.index, row.input.userPrincipalName, `Group '${unknownGroup}' does not exist.`); continue; }
      const managerId = row.input.manager ? idOf.get(row.input.manager.toLowerCase())! : undefined;
      if (!row.existing) {
        if (!row.input.displayName) { fail(row.index, row.input.userPrincipalName, 'displayName is required for a new user.'); continue; }
        const user = { ...newUserRow(services, row.input as NewUser, managerId ?? null, now), id: row.id };
        newUsers.push(user);
        events.push({ type: 'directory.userCreated', targetType: 'user', targetId: user.id, before: null, after: snapshot(user) });
      } else {
        const changes = userChanges(row.existing, { displayName: row.input.displayName, jobTitle: row.input.jobTitle, mail: row.input.mail });
        if (managerId !== undefined && managerId !== row.existing.manager_id) changes.manager_id = managerId;
        if (Object.keys(changes).length === 0) unchanged++;
        else {
          updated++;
          await updateUserRow(tx, row.id, changes);
          events.push({ type: 'directory.userUpdated', targetType: 'user', targetId: row.id, before: snapshot(row.existing), after: snapshot({ ...row.existing, ...changes }) });
        }
      }
      for (const groupId of groupIds) memberships.push({ groupId, memberId: row.id });
    }
    const groupsToCreate = newGroups();
    await insertGroups(tx, groupsToCreate);
    await insertUsers(tx, newUsers);
    const added = await missingMemberships(tx, memberships);
    await insertMemberships(tx, added);
    events.unshift(...groupsToCreate.map((g): DirectoryEvent => ({ type: 'directory.groupCreated', targetType: 'group', targetId: g.id, before: null, after: groupSnapshot(g) })));
    events.push(...added.map((m): DirectoryEvent => ({ type: 'directory.memberAdded', targetType: 'group', targetId: m.groupId, before: null, after: { memberId: m.memberId } })));
    errors.sort((a, b) => a.index - b.index);
    return {
      result: { created: newUsers.length, updated, unchanged, failed: errors.length, groupsCreated: groupsToCreate.length, membershipsAdded: added.length, errors },
      events,
    };
  });
}

/**
 * Finds groups by id or display name (case-insensitive). Names given in `declared` or on a row that
 * match no group become new groups; unknown ids are not invented.
 */
async function groupResolver(tx: Db, services: Services, declared: readonly NewGroup[], now: Instant): Promise<{ groupIdFor: (ref: string) => string | null; created: () => GroupRow[] }> {
  const groups = await allGroups(tx);
  const byId = new Set(groups.map((g) => g.id));
  const byName = new Map(groups.map((g) => [g.display_name.toLowerCase(), g.id]));
  const fresh = new Map<string, GroupRow>();
  const make = (input: NewGroup): string => {
    const key = input.displayName.toLowerCase();
    const existing = byName.get(key);
    if (existing) return existing;
    const row = newGroupRow(services, input, now);
    fresh.set(key, row);
    byName.set(key, row.id);
    return row.id;
  };
  for (const g of declared) make(g);
  return {
    groupIdFor: (ref) => {
      if (isGuid(ref)) return byId.has(ref.toLowerCase()) ? ref.toLowerCase() : null;
      return groupProblem({ displayName: ref }) ? null : make({ displayName: ref });
    },
    created: () => [...fresh.values()],
  };
}
