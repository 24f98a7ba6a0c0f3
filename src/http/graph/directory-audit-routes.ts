import type { FastifyInstance } from 'fastify';
import { queryAuditLog } from '../../app/audit-log.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { directoryAuditShape, isAuditPosition } from './directory-audit-shape.js';
import { applyFilter, applySelect, collection, decodeSkipToken, encodeSkipToken, nextLink, pageSize } from './odata.js';

/**
 * Graph's `auditLogs/directoryAudits` over Signoff's audit log, newest first, for clients that
 * already read Entra's. `$filter` applies to each page as on the other collections; the
 * `/signoff/v1/audit` filters query the whole log.
 */
export function registerDirectoryAuditRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const path = '/auditLogs/directoryAudits';

  app.get(path, async (request) => {
    const query = request.query as Record<string, unknown>;
    const page = await queryAuditLog(deps.services, callerOf(request), {}, pageSize(query), decodeSkipToken(query, isAuditPosition)?.beforeSeq ?? null);
    const shaped = page.events.map((e) => directoryAuditShape(e, page.users));
    return collection(odataContext(request, deps.version, 'auditLogs/directoryAudits'), applySelect(applyFilter(shaped, query), query),
      page.nextBeforeSeq !== null ? nextLink(request, encodeSkipToken({ beforeSeq: page.nextBeforeSeq })) : null);
  });
}
