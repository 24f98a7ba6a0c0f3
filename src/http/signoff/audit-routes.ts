import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { exportAuditLog, queryAuditLog, verifyAuditLog } from '../../app/audit-log.js';
import { directoryAuditShape, isAuditPosition } from '../graph/directory-audit-shape.js';
import { decodeSkipToken, encodeSkipToken, nextLink, pageSize } from '../graph/odata.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';

const Filter = (maxLength: number) => Type.Optional(Type.String({ minLength: 1, maxLength }));

const AuditQuery = Type.Object({
  from: Filter(64),
  to: Filter(64),
  actor: Filter(320),
  target: Filter(200),
  action: Filter(64),
  requestId: Filter(100),
  $top: Filter(10),
  top: Filter(10),
  $skiptoken: Filter(200),
  skiptoken: Filter(200),
}, { additionalProperties: false });

const ExportQuery = Type.Object({ since: Filter(64) }, { additionalProperties: false });

/** The audit log: read, export and verify. Nothing here (or anywhere) changes or deletes an event. */
export function registerAuditRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  const { services, callerOf } = deps;

  app.get<{ Querystring: Type.Static<typeof AuditQuery> }>('/audit', { schema: { querystring: AuditQuery } }, async (request) => {
    const q = request.query;
    const result = await queryAuditLog(services, callerOf(request), q, pageSize(q), decodeSkipToken(q, isAuditPosition)?.beforeSeq ?? null);
    return {
      value: result.events.map((e) => directoryAuditShape(e, result.users)),
      ...(result.nextBeforeSeq !== null ? { '@odata.nextLink': nextLink(request, encodeSkipToken({ beforeSeq: result.nextBeforeSeq })) } : {}),
    };
  });

  app.get<{ Querystring: Type.Static<typeof ExportQuery> }>('/audit/export', { schema: { querystring: ExportQuery } }, async (request, reply) => {
    const events = exportAuditLog(services, callerOf(request), request.query.since);
    // Pull the first event before answering, so a refusal (403, bad `since`) is still an error response.
    const first = await events.next();
    async function* lines() {
      if (first.done) return;
      yield `${JSON.stringify(directoryAuditShape(first.value.event, first.value.users))}\n`;
      for await (const { event, users } of events) yield `${JSON.stringify(directoryAuditShape(event, users))}\n`;
    }
    return reply.type('application/x-ndjson').send(Readable.from(lines()));
  });

  app.get('/audit/verify', async (request) => verifyAuditLog(services, callerOf(request)));
}
