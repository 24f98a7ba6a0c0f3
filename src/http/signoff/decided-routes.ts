import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type DecidedPosition, decidedBy } from '../../store/decided-repo.js';
import { collection, decodeSkipToken, encodeSkipToken, nextLink, pageSize, requestBaseUrl } from '../graph/odata.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';

const Query = Type.Object({
  result: Type.Optional(Type.Union([Type.Literal('Approve'), Type.Literal('Deny')])),
  $top: Type.Optional(Type.String({ maxLength: 6 })),
  $skiptoken: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

const isPosition = (v: unknown): v is DecidedPosition => typeof v === 'object' && v !== null
  && typeof (v as DecidedPosition).reviewedAt === 'string' && typeof (v as DecidedPosition).stageId === 'string';

/**
 * `GET /signoff/v1/approvals/decided`: the stages the caller decided, newest first, across every
 * family (Graph has no such list; the inbox's history reads it).
 */
export function registerDecidedRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  app.get<{ Querystring: Type.Static<typeof Query> }>('/approvals/decided', { schema: { querystring: Query } }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const page = await decidedBy(deps.services.store.db, {
      userId: deps.callerOf(request).userId, result: request.query.result ?? null, limit: pageSize(query), after: decodeSkipToken(query, isPosition),
    });
    const value = page.items.map((d) => ({
      family: d.family, approvalId: d.approvalId, stepId: d.stageId, stageNumber: d.stageIndex + 1,
      reviewResult: d.reviewResult === 'Approve' ? 'Approved' : 'Denied', reviewedDateTime: d.reviewedAt, justification: d.justification,
    }));
    return collection(`${requestBaseUrl(request)}/signoff/v1/$metadata#decidedApprovals`, value, page.next ? nextLink(request, encodeSkipToken(page.next)) : null);
  });
}
