import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { decideStep, getApprovalForCaller, listPendingForCaller } from '../../app/approvals.js';
import { DomainError } from '../../domain/errors.js';
import type { Family } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { withoutServedFields } from '../served-fields.js';
import { type GraphDeps, actorOf, callerOf, odataContext, shapeContextFor } from './graph-context.js';
import { APPROVAL, STEP, approvalShape, stepShape, stepsKey } from './graph-shapes.js';
import { decodeSkipToken, keysetPage, odataQuery, parseFunctionCall, servedEntity, wholeList } from './odata.js';
import { inboxPosition, isInboxPosition } from './request-collection-routes.js';

/** Where one family's approvals live in Graph, and which child segments name their steps. */
export interface ApprovalCollection {
  readonly family: Family;
  readonly path: string;
  /** The first is the one Graph documents for this version; the others are accepted aliases. */
  readonly children: readonly ('steps' | 'stages')[];
}

const DecisionBody = Type.Object({
  reviewResult: Type.Optional(Type.String({ maxLength: 32 })),
  justification: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
}, { additionalProperties: false });

/** A step's properties a reviewer cannot change; sent back with a verdict, they are ignored (served-fields.ts). */
const STEP_READ_ONLY = ['id', 'displayName', 'status', 'assignedToMe', 'reviewedBy', 'reviewedDateTime'];

const Id = Type.String({ minLength: 1, maxLength: 200 });

/** Graph's input verbs are case-insensitive in practice; the domain takes Approve / Deny. */
function normaliseDecision(value: string | undefined): string {
  if (value === undefined) throw new DomainError('INVALID_DECISION', "reviewResult is required: 'Approve' or 'Deny'.");
  const found = ['Approve', 'Deny'].find((v) => v.toLowerCase() === value.toLowerCase());
  return found ?? value;
}

export function registerApprovalRoutes(app: FastifyInstance, deps: GraphDeps, where: ApprovalCollection): void {
  const families = [where.family];
  const contextPath = where.path.replace(/^\//, '');
  const childParam = (child: string) => {
    if (!where.children.includes(child as 'steps')) throw new ApiError('UNKNOWN_ROUTE', `Resource not found for the segment '${child}'.`);
  };

  app.get<{ Params: { id: string } }>(`${where.path}/:id`, { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const q = odataQuery(request, APPROVAL[deps.version]);
    const call = parseFunctionCall(request.params.id, 'filterByCurrentUser', ['on']);
    if (call) {
      if (call.on !== 'approver') throw new ApiError('BAD_REQUEST', `filterByCurrentUser supports on='approver', not on='${call.on ?? ''}'.`);
      return keysetPage(request, odataContext(request, deps.version, 'Collection(microsoft.graph.approval)'), q, {
        start: decodeSkipToken(request.query as Record<string, unknown>, isInboxPosition), positionOf: inboxPosition,
        read: (after, limit) => listPendingForCaller(deps.services, callerOf(request), families, limit, after),
        serve: async (items) => {
          const ctx = await shapeContextFor(deps, request, items.map((i) => i.approval));
          return items.map((i) => approvalShape(i.approval, ctx));
        },
      });
    }
    const view = await getApprovalForCaller(deps.services, callerOf(request), request.params.id, families);
    const ctx = await shapeContextFor(deps, request, [view.approval]);
    return servedEntity({ '@odata.context': odataContext(request, deps.version, `${contextPath}/$entity`), ...approvalShape(view.approval, ctx) }, q);
  });

  app.get<{ Params: { id: string; child: string } }>(`${where.path}/:id/:child`, { schema: { params: Type.Object({ id: Id, child: Id }) } }, async (request) => {
    childParam(request.params.child);
    const q = odataQuery(request, STEP[deps.version]);
    const view = await getApprovalForCaller(deps.services, callerOf(request), request.params.id, families);
    const ctx = await shapeContextFor(deps, request, [view.approval]);
    const steps = view.approval.stages.map((s) => stepShape(s, view.approval, ctx));
    return wholeList(request, odataContext(request, deps.version, `${contextPath}('${view.approval.id}')/${stepsKey(deps.version)}`), steps, q);
  });

  app.get<{ Params: { id: string; child: string; stepId: string } }>(`${where.path}/:id/:child/:stepId`, { schema: { params: Type.Object({ id: Id, child: Id, stepId: Id }) } }, async (request) => {
    childParam(request.params.child);
    const q = odataQuery(request, STEP[deps.version]);
    const view = await getApprovalForCaller(deps.services, callerOf(request), request.params.id, families);
    const stage = view.approval.stages.find((s) => s.id === request.params.stepId);
    if (!stage) throw new DomainError('STEP_NOT_FOUND', `Approval step '${request.params.stepId}' was not found.`);
    const ctx = await shapeContextFor(deps, request, [view.approval]);
    return servedEntity({ '@odata.context': odataContext(request, deps.version, `${contextPath}('${view.approval.id}')/${stepsKey(deps.version)}/$entity`), ...stepShape(stage, view.approval, ctx) }, q);
  });

  app.patch<{ Params: { id: string; child: string; stepId: string }; Body: { reviewResult?: string; justification?: string | null } }>(
    `${where.path}/:id/:child/:stepId`,
    {
      schema: { params: Type.Object({ id: Id, child: Id, stepId: Id }), body: DecisionBody },
      preValidation: async (request) => {
        request.body = withoutServedFields(request.body, STEP_READ_ONLY) as typeof request.body;
      },
    },
    async (request, reply) => {
      childParam(request.params.child);
      await decideStep(deps.services, actorOf(request), {
        approvalId: request.params.id, stageId: request.params.stepId, families,
        decision: normaliseDecision(request.body.reviewResult), justification: request.body.justification,
      });
      return reply.code(204).send();
    },
  );
}
