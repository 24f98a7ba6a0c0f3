import type { FastifyInstance } from 'fastify';
import { queryAuditLog } from '../../app/audit-log.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { DIRECTORY_AUDIT, directoryAuditShape, isAuditPosition } from './directory-audit-shape.js';
import { decodeSkipToken, keysetPage, odataQuery } from './odata.js';

/**
 * Graph's `auditLogs/directoryAudits` over Signoff's audit log, newest first, for clients that
 * already read Entra's. `$filter` is applied as the log is read (odata.ts keysetPage); the
 * `/signoff/v1/audit` filters are answered by the store's indexes.
 */
export function registerDirectoryAuditRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const path = '/auditLogs/directoryAudits';

  app.get(path, async (request) => {
    const q = odataQuery(request, DIRECTORY_AUDIT);
    return keysetPage(request, odataContext(request, deps.version, 'auditLogs/directoryAudits'), q, {
      start: decodeSkipToken(request.query as Record<string, unknown>, isAuditPosition),
      read: async (after, limit) => {
        const page = await queryAuditLog(deps.services, callerOf(request), {}, limit, after?.beforeSeq ?? null);
        return { items: page.events.map((event) => ({ event, users: page.users })), next: page.nextBeforeSeq !== null ? { beforeSeq: page.nextBeforeSeq } : null };
      },
      positionOf: ({ event }) => ({ beforeSeq: Number(event.seq) }),
      serve: async (items) => items.map(({ event, users }) => directoryAuditShape(event, users)),
    });
  });
}
