import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type PolicySettings, listPoliciesOf, loadPolicy, simulatePolicy, updatePolicy } from '../../app/policies.js';
import { DomainError } from '../../domain/errors.js';
import { type ApprovalSettings, MINUTES_PER_DAY, type PolicyStage } from '../../domain/policy.js';
import { FAMILIES, type Family } from '../../domain/request.js';
import { formatDuration } from '../../domain/time.js';
import { getUsers } from '../../directory/directory-repo.js';
import { type StoredPolicy, listPolicyVersions } from '../../store/policies-repo.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';

const Guid = Type.String({ minLength: 1, maxLength: 100 });
const Id = Type.String({ minLength: 1, maxLength: 300 });

const ApproverRef = Type.Union([
  Type.Object({ type: Type.Literal('singleUser'), userId: Guid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('groupMembers'), groupId: Guid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('requestorManager'), managerLevel: Type.Integer() }, { additionalProperties: false }),
]);

/** Each field of a stage is optional: an absent one keeps the value of the stage at the same position. */
const StagePatch = Type.Object({
  displayName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  timeoutMinutes: Type.Optional(Type.Integer()),
  isApproverJustificationRequired: Type.Optional(Type.Boolean()),
  isEscalationEnabled: Type.Optional(Type.Boolean()),
  escalationMinutes: Type.Optional(Type.Integer()),
  primaryApprovers: Type.Optional(Type.Array(ApproverRef, { maxItems: 50 })),
  escalationApprovers: Type.Optional(Type.Array(ApproverRef, { maxItems: 50 })),
  approvalsRequired: Type.Optional(Type.Integer()),
}, { additionalProperties: false });

const PolicyPatch = Type.Object({
  approval: Type.Optional(Type.Object({
    mode: Type.Optional(Type.Union([Type.Literal('NoApproval'), Type.Literal('SingleStage'), Type.Literal('Serial')])),
    isRequestorJustificationRequired: Type.Optional(Type.Boolean()),
    stages: Type.Optional(Type.Array(StagePatch, { maxItems: 10 })),
  }, { additionalProperties: false })),
  activation: Type.Optional(Type.Object({
    maximumDurationMinutes: Type.Optional(Type.Integer()),
    isJustificationRequired: Type.Optional(Type.Boolean()),
    isTicketingRequired: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
type PolicyPatch = Type.Static<typeof PolicyPatch>;

const SimulateBody = Type.Object({
  requestorId: Type.String({ minLength: 1, maxLength: 320 }),
  family: Type.Union(FAMILIES.map((f) => Type.Literal(f))),
  resourceId: Type.String({ minLength: 1, maxLength: 100 }),
  scope: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
}, { additionalProperties: false });
type SimulateBody = Type.Static<typeof SimulateBody>;

/** Where a target names no scope: Entra roles tenant-wide, group membership. Others must say. */
const DEFAULT_SCOPE: Partial<Record<Family, string>> = { directoryRole: '/', group: 'member' };

function newStage(family: Family): PolicyStage {
  return {
    displayName: null, timeoutMinutes: family === 'accessPackage' ? 14 * MINUTES_PER_DAY : MINUTES_PER_DAY, isApproverJustificationRequired: true,
    isEscalationEnabled: false, escalationMinutes: 0, primaryApprovers: [], escalationApprovers: [], approvalsRequired: 1,
  };
}

function mergeApproval(patch: NonNullable<PolicyPatch['approval']>, current: ApprovalSettings, family: Family): ApprovalSettings {
  const stages = patch.stages
    ? patch.stages.map((s, i): PolicyStage => ({ ...(current.stages[i] ?? newStage(family)), ...s }))
    : current.stages;
  const mode = patch.mode ?? (stages.length === 0 ? 'NoApproval' : stages.length > 1 || current.mode === 'Serial' ? 'Serial' : 'SingleStage');
  return {
    mode,
    isRequestorJustificationRequired: patch.isRequestorJustificationRequired ?? current.isRequestorJustificationRequired,
    // Switching approval off drops the stages, as Graph's NoApproval does.
    stages: mode === 'NoApproval' && !patch.stages ? [] : stages,
  };
}

export function policyResourceShape(stored: StoredPolicy): Record<string, unknown> {
  const { policy, target } = stored;
  return {
    id: policy.id, version: policy.version, family: target.family, resourceId: target.resourceId, scope: target.scope,
    displayName: stored.displayName, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy,
    approval: policy.approval, activation: policy.activation,
  };
}

/** Signoff's own policy API: every setting including k-of-n, the version history, and a dry run. */
export function registerPolicyApiRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  const { services, callerOf } = deps;
  const adminOnly = (isAdmin: boolean) => {
    if (!isAdmin) throw new DomainError('ACCESS_DENIED', 'Only an administrator may read or change approval policies here.');
  };

  app.get('/policies', async (request) => {
    adminOnly(callerOf(request).isAdmin);
    return { value: (await listPoliciesOf(services, FAMILIES)).map(policyResourceShape) };
  });

  app.get<{ Params: { id: string } }>('/policies/:id', { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    adminOnly(callerOf(request).isAdmin);
    return policyResourceShape(await loadPolicy(services.store.db, request.params.id, FAMILIES));
  });

  app.get<{ Params: { id: string } }>('/policies/:id/versions', { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    adminOnly(callerOf(request).isAdmin);
    const stored = await loadPolicy(services.store.db, request.params.id, FAMILIES);
    const rows = await listPolicyVersions(services.store.db, stored.policy.id);
    return {
      value: rows.map((r) => ({ version: r.version, updatedAt: r.updated_at, updatedBy: r.updated_by, ...(JSON.parse(r.settings) as PolicySettings) })),
    };
  });

  app.patch<{ Params: { id: string }; Body: PolicyPatch }>('/policies/:id', { schema: { params: Type.Object({ id: Id }), body: PolicyPatch } }, async (request) => {
    const caller = callerOf(request);
    const actor = { userId: caller.userId, correlationId: request.clientRequestId, clientIp: request.ip };
    const { approval, activation } = request.body;
    const saved = await updatePolicy(services, actor, caller, request.params.id, FAMILIES, (current) => ({
      approval: approval ? mergeApproval(approval, current.policy.approval, current.target.family) : current.policy.approval,
      activation: { ...current.policy.activation, ...activation },
    }));
    return policyResourceShape(saved);
  });

  app.post<{ Body: SimulateBody }>('/policies/simulate', { schema: { body: SimulateBody } }, async (request) => {
    const { requestorId, family, resourceId } = request.body;
    const scope = request.body.scope ?? DEFAULT_SCOPE[family];
    if (!scope) throw new DomainError('INVALID_REQUEST', `scope is required for ${family}: the ${family === 'accessPackage' ? 'assignment policy id' : 'ARM scope'} the request would name.`);
    const result = await simulatePolicy(services, callerOf(request), { requestorId, target: { family, resourceId: resourceId.toLowerCase(), scope } });
    const users = await getUsers(services.store.db, result.stages.flatMap((s) => [...s.approverIds, ...s.escalationApproverIds]));
    const person = (id: string) => ({ id, displayName: users.get(id)?.display_name ?? null, userPrincipalName: users.get(id)?.user_principal_name ?? null });
    const { policy } = result;
    return {
      policyId: result.stored ? policy.id : null,
      policyVersion: result.stored ? policy.version : null,
      target: { family, resourceId, scope },
      requestorId,
      isEligible: result.isEligible,
      requiresApproval: result.requiresApproval,
      approvalMode: policy.approval.mode,
      isRequestorJustificationRequired: policy.approval.isRequestorJustificationRequired || policy.activation.isJustificationRequired,
      isTicketingRequired: policy.activation.isTicketingRequired,
      maximumDuration: formatDuration(policy.activation.maximumDurationMinutes * 60_000),
      stages: result.stages.map((s) => ({
        index: s.index,
        displayName: s.displayName,
        approvers: s.approverIds.map(person),
        approvalsRequired: s.approvalsRequired,
        quorum: `${s.approvalsRequired} of ${s.approverIds.length}`,
        timeout: formatDuration(s.timeoutMinutes * 60_000),
        timeoutMinutes: s.timeoutMinutes,
        escalation: s.isEscalationEnabled
          ? { enabled: true, after: formatDuration(s.escalationMinutes * 60_000), afterMinutes: s.escalationMinutes, approvers: s.escalationApproverIds.map(person) }
          : { enabled: false, after: null, afterMinutes: null, approvers: [] },
        isApproverJustificationRequired: s.isApproverJustificationRequired,
        warnings: s.warnings,
      })),
    };
  });
}
