import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { findUser, getGroup, getUsers, groupMemberIds, listGroups, listUsers } from '../../directory/directory-repo.js';
import { ApiError } from '../api-error.js';
import { withExpansion, withExpansions } from './expansions.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { GROUP, USER, groupShape, userShape } from './graph-shapes.js';
import { type KeysetList, decodeSkipToken, keysetPage, odataQuery, servedEntity, wholeList } from './odata.js';

const Key = Type.Object({ id: Type.String({ minLength: 1, maxLength: 320 }) });
type After = { after: string };
const isAfter = (v: unknown): v is After => typeof v === 'object' && v !== null && typeof (v as { after: unknown }).after === 'string';

/** A directory list in id order as keyset pages: `list` reads up to `limit` rows after an id. */
function byId<T extends { id: string }>(request: FastifyRequest, list: (afterId: string | null, limit: number) => Promise<T[]>, serve: (page: readonly T[]) => Promise<Record<string, unknown>[]>): KeysetList<T, After> {
  return {
    start: decodeSkipToken(request.query as Record<string, unknown>, isAfter),
    read: async (after, limit) => {
      const rows = await list(after?.after ?? null, limit + 1);
      const page = rows.slice(0, limit);
      return { items: page, next: rows.length > limit ? { after: page.at(-1)!.id } : null };
    },
    positionOf: (row) => ({ after: row.id }),
    serve,
  };
}

/** The directory lists in id order (directory-repo.ts), which `$orderby=id` may ask for. */
const BY_ID = ['id'];

function notFound(id: string): ApiError {
  return new ApiError('PRINCIPAL_NOT_FOUND', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** Enough of Graph's directory for clients to find the ids they need. */
export function registerDirectoryRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const db = () => deps.services.store.db;

  app.get('/me', async (request) => {
    const q = odataQuery(request, USER);
    const user = await findUser(db(), callerOf(request).userId);
    if (!user) throw notFound(callerOf(request).userId);
    return servedEntity(await withExpansion(db(), q, { '@odata.context': odataContext(request, deps.version, 'users/$entity'), ...userShape(user) }), q);
  });

  app.get('/users', async (request) => {
    const q = odataQuery(request, USER, BY_ID);
    return keysetPage(request, odataContext(request, deps.version, 'users'), q, byId(request, (after, limit) => listUsers(db(), limit, after), (page) => withExpansions(db(), q, page.map(userShape))));
  });

  app.get<{ Params: { id: string } }>('/users/:id', { schema: { params: Key } }, async (request) => {
    const q = odataQuery(request, USER);
    const user = await findUser(db(), request.params.id);
    if (!user) throw notFound(request.params.id);
    return servedEntity(await withExpansion(db(), q, { '@odata.context': odataContext(request, deps.version, 'users/$entity'), ...userShape(user) }), q);
  });

  app.get<{ Params: { id: string } }>('/users/:id/manager', { schema: { params: Key } }, async (request) => {
    const q = odataQuery(request, USER);
    const user = await findUser(db(), request.params.id);
    if (!user) throw notFound(request.params.id);
    const manager = user.manager_id ? await findUser(db(), user.manager_id) : undefined;
    if (!manager) throw notFound(`${request.params.id}/manager`);
    return servedEntity({ '@odata.context': odataContext(request, deps.version, 'directoryObjects/$entity'), '@odata.type': '#microsoft.graph.user', ...userShape(manager) }, q);
  });

  app.get('/groups', async (request) => {
    const q = odataQuery(request, GROUP, BY_ID);
    return keysetPage(request, odataContext(request, deps.version, 'groups'), q, byId(request, (after, limit) => listGroups(db(), limit, after), async (page) => page.map(groupShape)));
  });

  app.get<{ Params: { id: string } }>('/groups/:id', { schema: { params: Key } }, async (request) => {
    const q = odataQuery(request, GROUP);
    const group = await getGroup(db(), request.params.id);
    if (!group) throw notFound(request.params.id);
    return servedEntity({ '@odata.context': odataContext(request, deps.version, 'groups/$entity'), ...groupShape(group) }, q);
  });

  // Signoff's groups have users as members only, so a member reads as a user.
  app.get<{ Params: { id: string } }>('/groups/:id/members', { schema: { params: Key } }, async (request) => {
    const q = odataQuery(request, USER);
    const group = await getGroup(db(), request.params.id);
    if (!group) throw notFound(request.params.id);
    const ids = await groupMemberIds(db(), group.id, deps.services.clock.now());
    const users = await getUsers(db(), ids);
    const members = ids.flatMap((id) => { const u = users.get(id); return u ? [{ '@odata.type': '#microsoft.graph.user', ...userShape(u) }] : []; });
    return wholeList(request, odataContext(request, deps.version, 'directoryObjects'), members, q);
  });
}
