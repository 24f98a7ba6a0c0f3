import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { addGroupMember, createGroup, createUser, deleteUser, removeGroupMember, setManager, updateUser } from '../../app/directory.js';
import { MAX_DISPLAY_NAME, MAX_JOB_TITLE, referencedId } from '../../domain/directory-rules.js';
import { ApiError } from '../api-error.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { groupShape, userShape } from './graph-shapes.js';

const Id = Type.String({ minLength: 1, maxLength: 320 });
const Key = Type.Object({ id: Id });
const MemberKey = Type.Object({ id: Id, memberId: Id });
const Text = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** Graph requires these on a new user; Signoff accepts and ignores the ones it has no use for. */
const AcceptedUserFields = {
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  accountEnabled: Type.Optional(Type.Boolean()),
  mailNickname: Type.Optional(Type.String({ maxLength: 64 })),
  passwordProfile: Type.Optional(Type.Object({}, { additionalProperties: true })),
  givenName: Text(64),
  surname: Text(64),
};

const NewUserBody = Type.Object({
  ...AcceptedUserFields,
  userPrincipalName: Type.String({ minLength: 1, maxLength: 320 }),
  displayName: Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME }),
  jobTitle: Text(MAX_JOB_TITLE),
  mail: Text(320),
}, { additionalProperties: false });

const UserPatchBody = Type.Object({
  ...AcceptedUserFields,
  userPrincipalName: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME })),
  jobTitle: Text(MAX_JOB_TITLE),
  mail: Text(320),
}, { additionalProperties: false });

const NewGroupBody = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  displayName: Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME }),
  description: Text(1024),
  mailNickname: Type.Optional(Type.String({ maxLength: 64 })),
  mailEnabled: Type.Optional(Type.Boolean()),
  securityEnabled: Type.Optional(Type.Boolean()),
  groupTypes: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
}, { additionalProperties: false });

const RefBody = Type.Object({ '@odata.id': Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });

function idFromRef(ref: string): string {
  const id = referencedId(ref);
  if (!id) throw new ApiError('BAD_REQUEST', `'@odata.id' must name a directory object, such as 'https://graph.microsoft.com/v1.0/directoryObjects/{id}'.`);
  return id;
}

/** Directory writes in Graph's shapes for self-hosters managing their own users; administrators only. */
export function registerDirectoryAdminRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { services } = deps;

  app.post<{ Body: Type.Static<typeof NewUserBody> }>('/users', { schema: { body: NewUserBody } }, async (request, reply) => {
    const { userPrincipalName, displayName, jobTitle, mail } = request.body;
    const user = await createUser(services, actorOf(request), callerOf(request), { userPrincipalName, displayName, jobTitle, mail });
    return reply.code(201).send({ '@odata.context': odataContext(request, deps.version, 'users/$entity'), ...userShape(user) });
  });

  app.patch<{ Params: { id: string }; Body: Type.Static<typeof UserPatchBody> }>('/users/:id', { schema: { params: Key, body: UserPatchBody } }, async (request, reply) => {
    const { userPrincipalName, displayName, jobTitle, mail } = request.body;
    await updateUser(services, actorOf(request), callerOf(request), request.params.id, { userPrincipalName, displayName, jobTitle, mail });
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>('/users/:id', { schema: { params: Key } }, async (request, reply) => {
    await deleteUser(services, actorOf(request), callerOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: { id: string }; Body: Type.Static<typeof RefBody> }>('/users/:id/manager/$ref', { schema: { params: Key, body: RefBody } }, async (request, reply) => {
    await setManager(services, actorOf(request), callerOf(request), request.params.id, idFromRef(request.body['@odata.id']));
    return reply.code(204).send();
  });

  app.post<{ Body: Type.Static<typeof NewGroupBody> }>('/groups', { schema: { body: NewGroupBody } }, async (request, reply) => {
    const { displayName, description, mailNickname } = request.body;
    const group = await createGroup(services, actorOf(request), callerOf(request), { displayName, description, mailNickname });
    return reply.code(201).send({ '@odata.context': odataContext(request, deps.version, 'groups/$entity'), ...groupShape(group) });
  });

  app.post<{ Params: { id: string }; Body: Type.Static<typeof RefBody> }>('/groups/:id/members/$ref', { schema: { params: Key, body: RefBody } }, async (request, reply) => {
    await addGroupMember(services, actorOf(request), callerOf(request), request.params.id, idFromRef(request.body['@odata.id']));
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string; memberId: string } }>('/groups/:id/members/:memberId/$ref', { schema: { params: MemberKey } }, async (request, reply) => {
    await removeGroupMember(services, actorOf(request), callerOf(request), request.params.id, request.params.memberId);
    return reply.code(204).send();
  });
}
