import Type from 'typebox';
import type { ApprovalSettings, ApproverRef, Policy, PolicyStage } from '../../domain/policy.js';
import { MINUTES_PER_DAY } from '../../domain/policy.js';
import { DomainError } from '../../domain/errors.js';
import { formatDuration, parseDuration } from '../../domain/time.js';
import type { StoredPolicy } from '../../store/policies-repo.js';
import { type GraphVersion, Nullable } from './graph-shapes.js';
import { type Served, entityType } from './odata.js';

/**
 * Signoff's policies in Graph's PIM shapes (unifiedRoleManagementPolicy and its rules) and back.
 * Translation only: whether the result is a valid policy is the domain's question.
 */

/** Display names of the users and groups policies name, for the read-only `description` of a subjectSet. */
export type ApproverNames = ReadonlyMap<string, string>;

/**
 * Graph objects as clients send them: the documented fields, plus any instance annotation
 * (`@odata.context` and the like, as a read-modify-write client sends back what it read).
 */
export const GRAPH_OBJECT = { additionalProperties: false, patternProperties: { '^@': Type.Unknown() } } as const;

export const RULE_IDS = {
  approval: 'Approval_EndUser_Assignment',
  expiration: 'Expiration_EndUser_Assignment',
  enablement: 'Enablement_EndUser_Assignment',
} as const;

const ENABLEMENT_RULES = ['Justification', 'Ticketing', 'MultiFactorAuthentication'] as const;

export const SubjectSetInput = Type.Object({
  '@odata.type': Type.String({ maxLength: 100 }),
  id: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  userId: Type.Optional(Type.String({ maxLength: 100 })),
  groupId: Type.Optional(Type.String({ maxLength: 100 })),
  managerLevel: Type.Optional(Type.Integer()),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()])),
  isBackup: Type.Optional(Type.Boolean()),
}, GRAPH_OBJECT);
type SubjectSetInput = Type.Static<typeof SubjectSetInput>;

const Approvers = Type.Array(SubjectSetInput, { maxItems: 50 });

/** beta `approvalStage` and v1.0 `unifiedApprovalStage` carry the same fields. */
export const PimStageInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  approvalStageTimeOutInDays: Type.Optional(Type.Integer()),
  isApproverJustificationRequired: Type.Optional(Type.Boolean()),
  escalationTimeInMinutes: Type.Optional(Type.Integer()),
  isEscalationEnabled: Type.Optional(Type.Boolean()),
  primaryApprovers: Type.Optional(Approvers),
  escalationApprovers: Type.Optional(Approvers),
  // beta only; accepted and not modelled, as Signoff shows approvers to everyone the approval names.
  approverInformationVisibility: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
}, GRAPH_OBJECT);
type PimStageInput = Type.Static<typeof PimStageInput>;

export const ApprovalSettingsInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  isApprovalRequired: Type.Optional(Type.Boolean()),
  isApprovalRequiredForExtension: Type.Optional(Type.Boolean()),
  isRequestorJustificationRequired: Type.Optional(Type.Boolean()),
  approvalMode: Type.Optional(Type.String({ maxLength: 40 })),
  approvalStages: Type.Optional(Type.Array(PimStageInput, { maxItems: 10 })),
}, GRAPH_OBJECT);
export type ApprovalSettingsInput = Type.Static<typeof ApprovalSettingsInput>;

const RuleTargetInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  caller: Type.Optional(Type.String({ maxLength: 40 })),
  operations: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  level: Type.Optional(Type.String({ maxLength: 40 })),
  inheritableSettings: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
  enforcedSettings: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
  targetObjects: Type.Optional(Type.Unknown()),
}, GRAPH_OBJECT);

/** The PATCH body of any rule Signoff backs; which fields matter depends on the rule's id. */
export const RuleInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  id: Type.Optional(Type.String({ maxLength: 100 })),
  target: Type.Optional(RuleTargetInput),
  setting: Type.Optional(ApprovalSettingsInput),
  isExpirationRequired: Type.Optional(Type.Boolean()),
  maximumDuration: Type.Optional(Type.String({ maxLength: 40 })),
  enabledRules: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 10 })),
}, GRAPH_OBJECT);
export type RuleInput = Type.Static<typeof RuleInput>;

const odataName = (type: string) => type.replace(/^#/, '').replace(/^microsoft\.graph\./i, '');

// ---- approvers ----------------------------------------------------------------------------------

export function approverShape(ref: ApproverRef, version: GraphVersion, names: ApproverNames): Record<string, unknown> {
  // beta's userSet names its user or group `id` and has isBackup; v1.0's subjectSet says userId / groupId.
  const beta = version === 'beta';
  switch (ref.type) {
    case 'singleUser':
      return { '@odata.type': '#microsoft.graph.singleUser', ...(beta ? { isBackup: false, id: ref.userId } : { userId: ref.userId }), description: names.get(ref.userId) ?? null };
    case 'groupMembers':
      return { '@odata.type': '#microsoft.graph.groupMembers', ...(beta ? { isBackup: false, id: ref.groupId } : { groupId: ref.groupId }), description: names.get(ref.groupId) ?? null };
    default:
      return { '@odata.type': '#microsoft.graph.requestorManager', ...(beta ? { isBackup: false } : {}), managerLevel: ref.managerLevel };
  }
}

/** Either version's spelling is accepted, whichever path it arrives on. */
export function parseApprover(input: SubjectSetInput): ApproverRef {
  const type = odataName(input['@odata.type']);
  if (/^singleUser$/i.test(type)) {
    const userId = input.userId ?? input.id;
    if (!userId) throw new DomainError('INVALID_POLICY', 'A singleUser approver needs a userId (beta: id).');
    return { type: 'singleUser', userId: userId.toLowerCase() };
  }
  if (/^groupMembers$/i.test(type)) {
    const groupId = input.groupId ?? input.id;
    if (!groupId) throw new DomainError('INVALID_POLICY', 'A groupMembers approver needs a groupId (beta: id).');
    return { type: 'groupMembers', groupId: groupId.toLowerCase() };
  }
  if (/^requestorManager$/i.test(type)) return { type: 'requestorManager', managerLevel: input.managerLevel ?? 1 };
  throw new DomainError('INVALID_POLICY', `Approvers of type '${type}' are not supported; use singleUser, groupMembers or requestorManager.`);
}

// ---- approval settings (PIM, and entitlement management in beta) --------------------------------

/** Signoff's k-of-n shown beside Graph's fields as an instance annotation, which Microsoft's clients ignore. */
export function quorumAnnotation(stage: PolicyStage): Record<string, unknown> {
  return stage.approvalsRequired > 1 ? { '@signoff.approvalsRequired': stage.approvalsRequired } : {};
}

function pimStageShape(stage: PolicyStage, version: GraphVersion, names: ApproverNames): Record<string, unknown> {
  return {
    '@odata.type': version === 'beta' ? '#microsoft.graph.approvalStage' : '#microsoft.graph.unifiedApprovalStage',
    approvalStageTimeOutInDays: Math.max(1, Math.round(stage.timeoutMinutes / MINUTES_PER_DAY)),
    isApproverJustificationRequired: stage.isApproverJustificationRequired,
    escalationTimeInMinutes: stage.escalationMinutes,
    isEscalationEnabled: stage.isEscalationEnabled,
    primaryApprovers: stage.primaryApprovers.map((a) => approverShape(a, version, names)),
    escalationApprovers: stage.escalationApprovers.map((a) => approverShape(a, version, names)),
    ...quorumAnnotation(stage),
  };
}

export function approvalSettingsShape(settings: ApprovalSettings, version: GraphVersion, names: ApproverNames): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.approvalSettings',
    isApprovalRequired: settings.mode !== 'NoApproval' && settings.stages.length > 0,
    isApprovalRequiredForExtension: settings.isApprovalRequiredForExtension === true,
    isRequestorJustificationRequired: settings.isRequestorJustificationRequired,
    approvalMode: settings.mode,
    approvalStages: settings.stages.map((s) => pimStageShape(s, version, names)),
  };
}

/**
 * A Graph stage over the stage at the same position: what Graph cannot say (Signoff's quorum, a
 * display name) is kept from it, and a missing field keeps its value.
 */
function parsePimStage(input: PimStageInput, previous: PolicyStage | undefined): PolicyStage {
  return {
    displayName: previous?.displayName ?? null,
    timeoutMinutes: input.approvalStageTimeOutInDays !== undefined ? input.approvalStageTimeOutInDays * MINUTES_PER_DAY : previous?.timeoutMinutes ?? MINUTES_PER_DAY,
    isApproverJustificationRequired: input.isApproverJustificationRequired ?? previous?.isApproverJustificationRequired ?? true,
    isEscalationEnabled: input.isEscalationEnabled ?? false,
    escalationMinutes: input.escalationTimeInMinutes ?? 0,
    primaryApprovers: (input.primaryApprovers ?? []).map(parseApprover),
    escalationApprovers: (input.escalationApprovers ?? []).map(parseApprover),
    approvalsRequired: previous?.approvalsRequired ?? 1,
  };
}

const MODES = ['SingleStage', 'Serial', 'NoApproval', 'Parallel'] as const;

export function parseApprovalSettings(input: ApprovalSettingsInput, current: ApprovalSettings): ApprovalSettings {
  const modeName = input.approvalMode === undefined ? undefined : MODES.find((m) => m.toLowerCase() === input.approvalMode!.toLowerCase());
  if (input.approvalMode !== undefined && !modeName) {
    throw new DomainError('INVALID_POLICY', `approvalMode '${input.approvalMode}' is not one of SingleStage, Serial, NoApproval.`);
  }
  if (modeName === 'Parallel') throw new DomainError('INVALID_POLICY', "approvalMode 'Parallel' is not supported; use SingleStage or Serial.");
  const isRequestorJustificationRequired = input.isRequestorJustificationRequired ?? current.isRequestorJustificationRequired;
  const required = input.isApprovalRequired ?? (modeName ? modeName !== 'NoApproval' : current.mode !== 'NoApproval');
  const extension = (input.isApprovalRequiredForExtension ?? current.isApprovalRequiredForExtension) === true ? { isApprovalRequiredForExtension: true } : {};
  // Entra reads back policies without approval with their (unused) stages; they mean nothing here.
  if (!required || modeName === 'NoApproval') return { mode: 'NoApproval', isRequestorJustificationRequired, stages: [], ...extension };
  const stages = input.approvalStages
    ? input.approvalStages.map((s, i) => parsePimStage(s, current.stages[i]))
    : current.stages;
  const mode = modeName ?? (current.mode !== 'NoApproval' ? current.mode : stages.length > 1 ? 'Serial' : 'SingleStage');
  return { mode: mode as ApprovalSettings['mode'], isRequestorJustificationRequired, stages, ...extension };
}

// ---- rules and policies -------------------------------------------------------------------------

function ruleTarget(): Record<string, unknown> {
  return { caller: 'EndUser', operations: ['All'], level: 'Assignment', inheritableSettings: [], enforcedSettings: [] };
}

/** The rules of a policy are of three derived types; a query may name the properties of any of them. */
export const RULE = entityType('microsoft.graph.unifiedRoleManagementPolicyRule', Type.Object({
  id: Type.String(),
  target: Type.Unknown(),
  setting: Type.Optional(Type.Unknown()),
  isExpirationRequired: Type.Optional(Type.Boolean()),
  maximumDuration: Type.Optional(Type.String()),
  enabledRules: Type.Optional(Type.Array(Type.String())),
}));

export function rulesShape(policy: Policy, version: GraphVersion, names: ApproverNames): Served<typeof RULE>[] {
  const { activation } = policy;
  return [
    {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule', id: RULE_IDS.approval, target: ruleTarget(),
      setting: approvalSettingsShape(policy.approval, version, names),
    },
    {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule', id: RULE_IDS.expiration, target: ruleTarget(),
      isExpirationRequired: true, maximumDuration: formatDuration(activation.maximumDurationMinutes * 60_000),
    },
    {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule', id: RULE_IDS.enablement, target: ruleTarget(),
      enabledRules: [...(activation.isJustificationRequired ? ['Justification'] : []), ...(activation.isTicketingRequired ? ['Ticketing'] : [])],
    },
  ];
}

/** Graph's scope of a PIM policy: the tenant for Entra roles, the group for PIM for groups. */
export function policyScope(stored: StoredPolicy): { scopeId: string; scopeType: 'Directory' | 'Group' } {
  return stored.target.family === 'group' ? { scopeId: stored.target.resourceId, scopeType: 'Group' } : { scopeId: '/', scopeType: 'Directory' };
}

/** Rules are served only when `$expand`ed, as Graph does. */
export const ROLE_MANAGEMENT_POLICY = entityType('microsoft.graph.unifiedRoleManagementPolicy', Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  description: Type.String(),
  isOrganizationDefault: Type.Boolean(),
  scopeId: Type.String(),
  scopeType: Type.String(),
  lastModifiedDateTime: Nullable(Type.String()),
  lastModifiedBy: Type.Unknown(),
}), { rules: RULE, effectiveRules: RULE });

export function roleManagementPolicyShape(stored: StoredPolicy, lastModifiedBy: { id: string; displayName: string | null } | null): Served<typeof ROLE_MANAGEMENT_POLICY> {
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicy',
    id: stored.policy.id,
    // Entra names its PIM policies after their scope type; Signoff's carry the target's name.
    displayName: stored.displayName ?? (stored.target.family === 'group' ? 'Group' : 'DirectoryRole'),
    description: stored.displayName ?? '',
    isOrganizationDefault: false,
    ...policyScope(stored),
    lastModifiedDateTime: stored.updatedAt,
    lastModifiedBy: lastModifiedBy ? { ...lastModifiedBy } : null,
  };
}

/** Entra roles are assigned per role definition; PIM for groups per relationship (`member`, `owner`). */
export const POLICY_ASSIGNMENT = entityType('microsoft.graph.unifiedRoleManagementPolicyAssignment', Type.Object({
  id: Type.String(),
  policyId: Type.String(),
  scopeId: Type.String(),
  scopeType: Type.String(),
  roleDefinitionId: Type.String(),
}), { policy: ROLE_MANAGEMENT_POLICY });

export function policyAssignmentShape(stored: StoredPolicy): Served<typeof POLICY_ASSIGNMENT> {
  const roleDefinitionId = stored.target.family === 'group' ? stored.target.scope : stored.target.resourceId;
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyAssignment',
    id: `${stored.policy.id}_${roleDefinitionId}`,
    policyId: stored.policy.id,
    scopeId: policyScope(stored).scopeId,
    scopeType: stored.target.family === 'group' ? 'Group' : 'DirectoryRole',
    roleDefinitionId,
  };
}

type Settings = Omit<Policy, 'id' | 'version'>;

/** The policy settings after a PATCH of one rule, or RULE not found. */
export function applyRulePatch(current: Policy, ruleId: string, input: RuleInput): Settings {
  const { approval, activation } = current;
  const expectType = (name: string) => {
    if (input['@odata.type'] && odataName(input['@odata.type']).toLowerCase() !== name.toLowerCase()) {
      throw new DomainError('INVALID_POLICY', `Rule '${ruleId}' is a ${name}, not a ${odataName(input['@odata.type'])}.`);
    }
  };
  switch (ruleId) {
    case RULE_IDS.approval:
      expectType('unifiedRoleManagementPolicyApprovalRule');
      return { approval: input.setting ? parseApprovalSettings(input.setting, approval) : approval, activation };
    case RULE_IDS.expiration: {
      expectType('unifiedRoleManagementPolicyExpirationRule');
      if (input.isExpirationRequired === false) throw new DomainError('INVALID_POLICY', 'Activations always expire: isExpirationRequired must be true.');
      if (input.maximumDuration === undefined) return { approval, activation };
      const ms = parseDuration(input.maximumDuration);
      if (ms === null || ms <= 0) throw new DomainError('INVALID_POLICY', `maximumDuration '${input.maximumDuration}' is not a positive ISO 8601 duration such as 'PT8H'.`);
      return { approval, activation: { ...activation, maximumDurationMinutes: Math.ceil(ms / 60_000) } };
    }
    case RULE_IDS.enablement: {
      expectType('unifiedRoleManagementPolicyEnablementRule');
      if (input.enabledRules === undefined) return { approval, activation };
      const unknown = input.enabledRules.filter((r) => !ENABLEMENT_RULES.some((k) => k.toLowerCase() === r.toLowerCase()));
      if (unknown.length > 0) throw new DomainError('INVALID_POLICY', `enabledRules may hold ${ENABLEMENT_RULES.join(', ')}; not ${unknown.join(', ')}.`);
      const has = (name: string) => input.enabledRules!.some((r) => r.toLowerCase() === name.toLowerCase());
      // MultiFactorAuthentication is accepted for compatibility; the emulator has no second factor to ask for.
      return { approval, activation: { ...activation, isJustificationRequired: has('Justification'), isTicketingRequired: has('Ticketing') } };
    }
    default:
      throw new DomainError('POLICY_NOT_FOUND', `Rule '${ruleId}' was not found in policy '${current.id}'.`);
  }
}
