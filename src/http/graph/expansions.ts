import { findUser, getGroup, getUsers } from '../../directory/directory-repo.js';
import { listResources } from '../../store/policies-repo.js';
import type { Db } from '../../store/store.js';
import { groupShape, userShape } from './graph-shapes.js';
import type { ODataQuery } from './odata.js';
import { roleDefinitionShape } from './role-shapes.js';

/**
 * How Signoff loads a navigation property it serves: from the item's id property (`key`), one
 * batch per page. Which navigation properties a type has is the type's (odata.ts `navigation`);
 * this says only where the data of those Signoff can serve comes from, and runs only for what
 * `$expand` names, so a read without `$expand` costs nothing more.
 */
interface Loader {
  readonly key: string;
  readonly load: (db: Db, ids: readonly string[]) => Promise<ReadonlyMap<string, unknown>>;
}

const directoryObject = (id: string) => ({ '@odata.type': '#microsoft.graph.directoryObject', id });

const LOADERS: Readonly<Record<string, Loader>> = {
  roleDefinition: {
    key: 'roleDefinitionId',
    load: async (db) => new Map((await listResources(db, 'directoryRole')).map((r) => [r.id, roleDefinitionShape(r)])),
  },
  // Principals are users in Signoff's directory; one it does not know is still shown as a reference.
  principal: {
    key: 'principalId',
    load: async (db, ids) => {
      const users = await getUsers(db, ids);
      return new Map(ids.map((id) => {
        const user = users.get(id);
        return [id, user ? { '@odata.type': '#microsoft.graph.user', ...userShape(user) } : directoryObject(id)];
      }));
    },
  },
  group: {
    key: 'groupId',
    load: async (db, ids) => new Map(await Promise.all(ids.map(async (id) => {
      const group = await getGroup(db, id);
      return [id, group ? { '@odata.type': '#microsoft.graph.group', ...groupShape(group) } : directoryObject(id)] as const;
    }))),
  },
  // `/` is the whole tenant, which is no directory object: Graph shows it as null.
  directoryScope: {
    key: 'directoryScopeId',
    load: async (_db, ids) => new Map(ids.map((id) => [id, id === '/' ? null : directoryObject(id)])),
  },
  manager: {
    key: 'id',
    load: async (db, ids) => {
      const found = await Promise.all(ids.map(async (id) => {
        const user = await findUser(db, id);
        const manager = user?.manager_id ? await findUser(db, user.manager_id) : undefined;
        return manager ? [[id, { '@odata.type': '#microsoft.graph.user', ...userShape(manager) }] as const] : [];
      }));
      return new Map(found.flat());
    },
  },
};

/** `items` with the navigation properties `q` expands filled in where Signoff has their data; `present` (odata.ts) then serves them as asked. */
export async function withExpansions(db: Db, q: ODataQuery, items: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  let out = [...items];
  for (const name of q.expand.keys()) {
    const loader = Object.hasOwn(LOADERS, name) ? LOADERS[name]! : undefined;
    if (!loader) continue;
    const ids = [...new Set(out.map((item) => item[loader.key]).filter((id): id is string => typeof id === 'string'))];
    if (ids.length === 0) continue;
    const loaded = await loader.load(db, ids);
    out = out.map((item) => {
      const id = item[loader.key];
      return typeof id === 'string' && loaded.has(id) ? { ...item, [name]: loaded.get(id) } : item;
    });
  }
  return out;
}

/** One item, as `withExpansions`. */
export async function withExpansion(db: Db, q: ODataQuery, item: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await withExpansions(db, q, [item]))[0]!;
}
