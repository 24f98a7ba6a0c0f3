import { type ApprovalListFilter, decideStepAtScope, getApprovalAtScope, listApprovalsAtScope } from '../../app/scoped-approvals.js';
import { DomainError } from '../../domain/errors.js';
import type { Family } from '../../domain/request.js';
import { ApiError } from '../api-error.js';
import { type ArmContext, type ArmResult, actorOf, callerOf, filterOf, nextLink, pageSize, shapeContextFor, skipToken } from './arm-context.js';
import type { ArmDecisionBody } from './arm-schemas.js';
import { approvalShape, stageShape } from './arm-shapes.js';

/** ARM's role assignment approvals are the approvals of Azure role requests, whichever API created them. */
const FAMILIES: readonly Family[] = ['azureRole'];

const FILTERS: Readonly<Record<string, ApprovalListFilter>> = { 'asapprover()': 'approver', 'ascreatedby()': 'createdBy', 'astarget()': 'target' };

function listFilter(ctx: ArmContext): ApprovalListFilter {
  const text = filterOf(ctx);
  if (text === undefined || text.trim() === '') return null;
  const filter = FILTERS[text.trim().toLowerCase()];
  if (filter === undefined) throw new ApiError('BAD_REQUEST', `The $filter '${text}' is not supported; use asApprover(), asCreatedBy() or asTarget().`);
  return filter;
}

const scopeOf = (ctx: ArmContext) => (ctx.scope === '' ? null : ctx.scope);

export async function listApprovals(ctx: ArmContext): Promise<ArmResult> {
  const page = await listApprovalsAtScope(ctx.services, callerOf(ctx), {
    families: FAMILIES, scope: scopeOf(ctx), filter: listFilter(ctx), limit: pageSize(ctx), after: skipToken(ctx),
  });
  const shape = await shapeContextFor(ctx, page.items.map((i) => i.approval));
  return {
    status: 200,
    body: { value: page.items.map((i) => approvalShape(ctx.scope, i.approval, shape, i.request)), ...(page.next ? { nextLink: nextLink(ctx, page.next) } : {}) },
  };
}

async function readApproval(ctx: ArmContext) {
  const view = await getApprovalAtScope(ctx.services, callerOf(ctx), ctx.params.approvalId!, FAMILIES, scopeOf(ctx));
  return { view, shape: await shapeContextFor(ctx, [view.approval]) };
}

export async function getApproval(ctx: ArmContext): Promise<ArmResult> {
  const { view, shape } = await readApproval(ctx);
  return { status: 200, body: approvalShape(ctx.scope, view.approval, shape, view.request) };
}

/** Microsoft does not mark the stage list pageable; an approval has at most three stages. */
export async function listStages(ctx: ArmContext): Promise<ArmResult> {
  const { view, shape } = await readApproval(ctx);
  return { status: 200, body: { value: view.approval.stages.map((s) => stageShape(ctx.scope, view.approval, s, shape)) } };
}

export async function getStage(ctx: ArmContext): Promise<ArmResult> {
  const { view, shape } = await readApproval(ctx);
  const stage = view.approval.stages.find((s) => s.id === ctx.params.stageId);
  if (!stage) throw new DomainError('STEP_NOT_FOUND', `Stage '${ctx.params.stageId}' was not found in approval '${view.approval.id}'.`);
  return { status: 200, body: stageShape(ctx.scope, view.approval, stage, shape) };
}

/** The domain takes Approve / Deny; clients vary the case. */
function verdict(value: string | undefined): string {
  if (value === undefined) throw new DomainError('INVALID_DECISION', "properties.reviewResult is required: 'Approve' or 'Deny'.");
  return ['Approve', 'Deny'].find((v) => v.toLowerCase() === value.toLowerCase()) ?? value;
}

/** PATCH and PUT both record a decision and answer 200 with the stage as the reviewer now sees it. */
export async function decideStage(ctx: ArmContext<ArmDecisionBody>): Promise<ArmResult> {
  const { properties, ...flat } = ctx.body;
  if (properties && (flat.reviewResult !== undefined || flat.justification !== undefined)) {
    throw new ApiError('BAD_REQUEST', 'Send the decision either inside "properties" or at the top level, not both.');
  }
  const fields = properties ?? flat;
  const view = await decideStepAtScope(ctx.services, actorOf(ctx), {
    approvalId: ctx.params.approvalId!, stageId: ctx.params.stageId!, families: FAMILIES, scope: scopeOf(ctx),
    decision: verdict(fields.reviewResult), justification: fields.justification,
  });
  const stage = view.approval.stages.find((s) => s.id === ctx.params.stageId)!;
  const shape = await shapeContextFor(ctx, [view.approval]);
  return { status: 200, body: stageShape(ctx.scope, view.approval, stage, shape) };
}
