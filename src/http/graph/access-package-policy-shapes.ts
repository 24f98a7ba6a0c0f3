import Type from 'typebox';
import { DomainError } from '../../domain/errors.js';
import type { ApprovalSettings, PolicyStage } from '../../domain/policy.js';
import { formatDuration, parseDuration } from '../../domain/time.js';
import type { StoredPolicy } from '../../store/policies-repo.js';
import { type GraphVersion, Nullable } from './graph-shapes.js';
import { type Served, type ServedFields, entityType } from './odata.js';
import {
  type ApproverNames, ApprovalSettingsInput, GRAPH_OBJECT, SubjectSetInput, approvalSettingsShape, approverShape, parseApprovalSettings, parseApprover, quorumAnnotation,
} from './policy-shapes.js';

/**
 * Access package assignment policies' approval settings in entitlement management's shapes.
 * v1.0 has its own accessPackageAssignmentApprovalSettings with ISO durations; beta reuses PIM's
 * approvalSettings (days and minutes).
 */

const Approvers = Type.Array(SubjectSetInput, { maxItems: 50 });

const EmStageInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  durationBeforeAutomaticDenial: Type.Optional(Type.String({ maxLength: 40 })),
  durationBeforeEscalation: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  isApproverJustificationRequired: Type.Optional(Type.Boolean()),
  isEscalationEnabled: Type.Optional(Type.Boolean()),
  primaryApprovers: Type.Optional(Approvers),
  fallbackPrimaryApprovers: Type.Optional(Approvers),
  escalationApprovers: Type.Optional(Approvers),
  fallbackEscalationApprovers: Type.Optional(Approvers),
}, GRAPH_OBJECT);
type EmStageInput = Type.Static<typeof EmStageInput>;

export const EmApprovalSettingsInput = Type.Object({
  '@odata.type': Type.Optional(Type.String({ maxLength: 100 })),
  isApprovalRequiredForAdd: Type.Optional(Type.Boolean()),
  isApprovalRequiredForUpdate: Type.Optional(Type.Boolean()),
  isRequestorJustificationRequired: Type.Optional(Type.Boolean()),
  stages: Type.Optional(Type.Array(EmStageInput, { maxItems: 10 })),
}, GRAPH_OBJECT);
export type EmApprovalSettingsInput = Type.Static<typeof EmApprovalSettingsInput>;

/** A PUT carries the whole policy; Signoff applies its approval settings and ignores what it does not model. */
export const AssignmentPolicyInput = Type.Object({
  requestApprovalSettings: Type.Optional(Type.Union([EmApprovalSettingsInput, ApprovalSettingsInput, Type.Null()])),
}, { additionalProperties: true });
export type AssignmentPolicyInput = Type.Static<typeof AssignmentPolicyInput>;

function emStageShape(stage: PolicyStage, names: ApproverNames): Record<string, unknown> {
  return {
    durationBeforeAutomaticDenial: formatDuration(stage.timeoutMinutes * 60_000),
    isApproverJustificationRequired: stage.isApproverJustificationRequired,
    isEscalationEnabled: stage.isEscalationEnabled,
    durationBeforeEscalation: formatDuration(stage.escalationMinutes * 60_000),
    primaryApprovers: stage.primaryApprovers.map((a) => approverShape(a, 'v1.0', names)),
    fallbackPrimaryApprovers: [],
    escalationApprovers: stage.escalationApprovers.map((a) => approverShape(a, 'v1.0', names)),
    fallbackEscalationApprovers: [],
    ...quorumAnnotation(stage),
  };
}

export function emApprovalSettingsShape(settings: ApprovalSettings, version: GraphVersion, names: ApproverNames): Record<string, unknown> {
  if (version === 'beta') return approvalSettingsShape(settings, version, names);
  return {
    isApprovalRequiredForAdd: settings.mode !== 'NoApproval' && settings.stages.length > 0,
    isApprovalRequiredForUpdate: false,
    isRequestorJustificationRequired: settings.isRequestorJustificationRequired,
    stages: settings.stages.map((s) => emStageShape(s, names)),
  };
}

function minutesOf(field: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new DomainError('INVALID_POLICY', `${field} '${text}' is not an ISO 8601 duration such as 'P14D'.`);
  return Math.ceil(ms / 60_000);
}

function parseEmStage(input: EmStageInput, previous: PolicyStage | undefined): PolicyStage {
  if ((input.fallbackPrimaryApprovers?.length ?? 0) > 0 || (input.fallbackEscalationApprovers?.length ?? 0) > 0) {
    throw new DomainError('INVALID_POLICY', 'Fallback approvers are not supported; name every approver in primaryApprovers or escalationApprovers.');
  }
  return {
    displayName: previous?.displayName ?? null,
    timeoutMinutes: input.durationBeforeAutomaticDenial ? minutesOf('durationBeforeAutomaticDenial', input.durationBeforeAutomaticDenial) : previous?.timeoutMinutes ?? 14 * 24 * 60,
    isApproverJustificationRequired: input.isApproverJustificationRequired ?? previous?.isApproverJustificationRequired ?? true,
    isEscalationEnabled: input.isEscalationEnabled ?? false,
    escalationMinutes: input.durationBeforeEscalation ? minutesOf('durationBeforeEscalation', input.durationBeforeEscalation) : 0,
    primaryApprovers: (input.primaryApprovers ?? []).map(parseApprover),
    escalationApprovers: (input.escalationApprovers ?? []).map(parseApprover),
    approvalsRequired: previous?.approvalsRequired ?? 1,
  };
}

const isEmInput = (input: object): input is EmApprovalSettingsInput => 'stages' in input || 'isApprovalRequiredForAdd' in input || 'isApprovalRequiredForUpdate' in input;

/** The approval settings after a PUT; absent fields keep their value, as Graph's read-modify-write clients expect. */
export function parseEmApprovalSettings(input: AssignmentPolicyInput['requestApprovalSettings'], current: ApprovalSettings): ApprovalSettings {
  if (!input) return current;
  if (!isEmInput(input)) return parseApprovalSettings(input as ApprovalSettingsInput, current);
  const isRequestorJustificationRequired = input.isRequestorJustificationRequired ?? current.isRequestorJustificationRequired;
  const required = input.isApprovalRequiredForAdd ?? current.mode !== 'NoApproval';
  if (!required) return { mode: 'NoApproval', isRequestorJustificationRequired, stages: [] };
  const stages = input.stages ? input.stages.map((s, i) => parseEmStage(s, current.stages[i])) : current.stages;
  return { mode: stages.length > 1 ? 'Serial' : 'SingleStage', isRequestorJustificationRequired, stages };
}

const PolicyFields = {
  id: Type.String(),
  displayName: Nullable(Type.String()),
  description: Nullable(Type.String()),
  modifiedDateTime: Nullable(Type.String()),
  requestApprovalSettings: Type.Unknown(),
  accessPackage: Type.Object({ id: Type.String() }),
};

/**
 * The access package is served as a reference, carried so `$filter=accessPackage/id eq '…'` finds a
 * package's policies; the other relationships Graph documents are accepted and omitted.
 */
export const ACCESS_PACKAGE_POLICY = {
  beta: entityType('microsoft.graph.accessPackageAssignmentPolicy', Type.Object({
    ...PolicyFields, accessPackageId: Type.String(), durationInDays: Type.Number(),
  }), { accessPackage: null, accessPackageCatalog: null, customExtensionHandlers: null, customExtensionStageSettings: null }),
  'v1.0': entityType('microsoft.graph.accessPackageAssignmentPolicy', Type.Object({
    ...PolicyFields, allowedTargetScope: Type.String(), expiration: Type.Unknown(),
  }), { accessPackage: null, catalog: null, customExtensionStageSettings: null, questions: null }),
} as const;

export function accessPackageAssignmentPolicyShape(stored: StoredPolicy, version: GraphVersion, names: ApproverNames): Served<(typeof ACCESS_PACKAGE_POLICY)[GraphVersion]> {
  const { policy, target } = stored;
  const common: ServedFields<typeof PolicyFields> = {
    '@odata.type': '#microsoft.graph.accessPackageAssignmentPolicy',
    id: policy.id,
    displayName: stored.displayName,
    description: stored.displayName,
    modifiedDateTime: stored.updatedAt,
    requestApprovalSettings: emApprovalSettingsShape(policy.approval, version, names),
    accessPackage: { id: target.resourceId },
  };
  return version === 'beta'
    ? { ...common, accessPackageId: target.resourceId, durationInDays: Math.round(policy.activation.maximumDurationMinutes / (24 * 60)) }
    : {
      ...common, allowedTargetScope: 'allMemberUsers',
      expiration: { type: 'afterDuration', endDateTime: null, duration: formatDuration(policy.activation.maximumDurationMinutes * 60_000) },
    };
}
