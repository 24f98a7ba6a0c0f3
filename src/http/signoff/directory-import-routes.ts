import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { importDirectory } from '../../app/directory.js';
import { MAX_DISPLAY_NAME, MAX_JOB_TITLE } from '../../domain/directory-rules.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';

/** Rows per call: the CLI sends larger files in batches of this size or less. */
export const MAX_IMPORT_ROWS = 1000;

const Text = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** Field types and sizes are checked here; whether a row makes sense is answered per row. */
const ImportBody = Type.Object({
  users: Type.Array(Type.Object({
    userPrincipalName: Type.Optional(Type.String({ maxLength: 320 })),
    displayName: Type.Optional(Type.String({ maxLength: MAX_DISPLAY_NAME })),
    jobTitle: Text(MAX_JOB_TITLE),
    mail: Text(320),
    manager: Text(320),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME }), { maxItems: 100 })),
  }, { additionalProperties: false }), { maxItems: MAX_IMPORT_ROWS }),
  groups: Type.Optional(Type.Array(Type.Object({
    displayName: Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME }),
    description: Text(1024),
  }, { additionalProperties: false }), { maxItems: MAX_IMPORT_ROWS })),
}, { additionalProperties: false });

/** `POST /directory/import`: upserts a batch of users (managers, groups) for self-hosters; admins only. */
export function registerDirectoryImportRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  app.post<{ Body: Type.Static<typeof ImportBody> }>('/directory/import', { schema: { body: ImportBody } }, async (request) => {
    const caller = deps.callerOf(request);
    const actor = { userId: caller.userId, correlationId: request.clientRequestId, clientIp: request.ip };
    return importDirectory(deps.services, actor, caller, request.body);
  });
}
