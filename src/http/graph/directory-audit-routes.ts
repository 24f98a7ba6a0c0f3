import type { FastifyInstance } from 'fastify';
import { queryAuditLog } from '../../app/audit-log.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { DIRECTORY_AUDIT, directoryAuditShape, isAuditPosition } from './directory-audit-shape.js';
import { decodeSkipToken, odataQuery, pageSizeOf, storePage } from './odata.js';

/**
 * Graph's `auditLogs/directoryAudits` over Signoff's audit log, newest first, for clients that
 * already read Entra's. `$filter` applies to each page as on the other collections; the
 * `/signoff/v1/audit` filters query the whole log.
 */
export function registerDirectoryAuditRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const path = '/auditLogs/directoryAudits';

  app.get(path, async (request) => {
    const q = odataQuery(request, DIRECTORY_AUDIT);
    const page = await queryAuditLog(deps.services, callerOf(request), {}, pageSizeOf(q), decodeSkipToken(request.query as Record<string, unknown>, isAuditPosition)?.beforeSeq ?? null);
    const shaped = page.events.map((e) => directoryAuditShape(e, page.users));
    return storePage(request, odataContext(request, deps.version, 'auditLogs/directoryAudits'), shaped, q, page.nextBeforeSeq !== null ? { beforeSeq: page.nextBeforeSeq } : null);
  });
}
