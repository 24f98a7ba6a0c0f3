/**
 * ARM wire schemas, written once from specs/arm-role-assignment-approvals.md and Microsoft's
 * RoleAssignmentScheduleRequest reference (api-version 2020-10-01). Request bodies are validated
 * against them; the test suite checks every response against them, so drift fails a test.
 */
import Type from 'typebox';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' });
const ResourceId = (tail: string) => Type.String({ pattern: `^(/.+)?/providers/Microsoft\\.Authorization/${tail}$` });

// ---- responses ---------------------------------------------------------------------------------

export const ArmErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String({ minLength: 1 }), message: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
}, { additionalProperties: false });

export const ArmOperation = Type.Object({
  name: Type.String({ pattern: '^Microsoft\\.Authorization/' }),
  isDataAction: Type.Boolean(),
  display: Type.Object({
    provider: Type.String(), resource: Type.String(), operation: Type.String(), description: Type.String(),
  }, { additionalProperties: false }),
  origin: Type.String(),
}, { additionalProperties: false });

export const ArmOperationList = Type.Object({
  value: Type.Array(ArmOperation),
  nextLink: Type.Optional(Nullable(Type.String())),
}, { additionalProperties: false });

export const ArmStageStatus = Type.Union(['NotStarted', 'InProgress', 'Completed', 'Expired', 'Initializing', 'Escalating', 'Completing', 'Escalated'].map((s) => Type.Literal(s)));
export const ArmReviewResult = Type.Union([Type.Literal('NotReviewed'), Type.Literal('Approve'), Type.Literal('Deny')]);

export const ArmActorIdentity = Type.Object({
  principalId: Type.String(),
  principalType: Type.Union([Type.Literal('user'), Type.Literal('servicePrincipal')]),
  principalName: Type.String(),
  userPrincipalName: Type.String(),
}, { additionalProperties: false });

export const ArmStage = Type.Object({
  id: ResourceId('roleAssignmentApprovals/[^/]+/stages/[^/]+'),
  name: Type.String({ minLength: 1 }),
  type: Type.Literal('Microsoft.Authorization/roleAssignmentApprovals/stages'),
  properties: Type.Object({
    displayName: Type.String(),
    status: ArmStageStatus,
    assignedToMe: Type.Boolean(),
    reviewedBy: Nullable(ArmActorIdentity),
    reviewedDateTime: Nullable(Instant),
    reviewResult: ArmReviewResult,
    justification: Type.String(),
    // Signoff's annotations on a started stage, as on Graph's steps.
    '@signoff.startedDateTime': Type.Optional(Instant),
    '@signoff.escalationDateTime': Type.Optional(Nullable(Instant)),
    '@signoff.expirationDateTime': Type.Optional(Nullable(Instant)),
    '@signoff.approvers': Type.Optional(Type.Array(Type.Object({ id: Type.String(), displayName: Nullable(Type.String()) }, { additionalProperties: false }))),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const ArmApproval = Type.Object({
  id: ResourceId('roleAssignmentApprovals/[^/]+'),
  name: Type.String({ minLength: 1 }),
  type: Type.Literal('Microsoft.Authorization/roleAssignmentApprovals'),
  properties: Type.Object({
    stages: Type.Array(ArmStage),
    '@signoff.scheduleRequestId': Type.Optional(ResourceId('RoleAssignmentScheduleRequests/[^/]+')),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const ArmApprovalList = Type.Object({
  value: Type.Array(ArmApproval),
  nextLink: Type.Optional(Type.String({ pattern: '^https?://' })),
}, { additionalProperties: false });

export const ArmStageList = Type.Object({
  value: Type.Array(ArmStage),
  nextLink: Type.Optional(Nullable(Type.String())),
}, { additionalProperties: false });

const ExpirationTypes = Type.Union([Type.Literal('AfterDuration'), Type.Literal('AfterDateTime'), Type.Literal('NoExpiration')]);

export const ArmScheduleRequest = Type.Object({
  id: ResourceId('RoleAssignmentScheduleRequests/[^/]+'),
  name: Type.String({ minLength: 1 }),
  type: Type.Literal('Microsoft.Authorization/RoleAssignmentScheduleRequests'),
  properties: Type.Object({
    scope: Type.String(),
    roleDefinitionId: ResourceId('roleDefinitions/[0-9a-fA-F-]{36}'),
    principalId: Type.String(),
    principalType: Type.Literal('User'),
    requestType: Type.Literal('SelfActivate'),
    status: Type.Union(['PendingApproval', 'Granted', 'Provisioned', 'Denied', 'Canceled', 'Failed', 'Revoked'].map((s) => Type.Literal(s))),
    approvalId: Nullable(ResourceId('roleAssignmentApprovals/[^/]+')),
    targetRoleAssignmentScheduleId: Type.String(),
    targetRoleAssignmentScheduleInstanceId: Type.Null(),
    linkedRoleEligibilityScheduleId: Nullable(Type.String()),
    scheduleInfo: Type.Object({
      startDateTime: Instant,
      expiration: Type.Object({ type: ExpirationTypes, endDateTime: Nullable(Instant), duration: Nullable(Type.String()) }, { additionalProperties: false }),
    }, { additionalProperties: false }),
    ticketInfo: Type.Object({ ticketNumber: Nullable(Type.String()), ticketSystem: Nullable(Type.String()) }, { additionalProperties: false }),
    justification: Nullable(Type.String()),
    requestorId: Type.String(),
    createdOn: Instant,
    condition: Nullable(Type.String()),
    conditionVersion: Nullable(Type.String()),
    expandedProperties: Type.Optional(Type.Object({
      principal: Type.Object({ id: Type.String(), displayName: Nullable(Type.String()), email: Nullable(Type.String()), type: Type.Literal('User') }, { additionalProperties: false }),
      roleDefinition: Type.Object({ id: ResourceId('roleDefinitions/[0-9a-fA-F-]{36}'), displayName: Nullable(Type.String()), type: Type.String() }, { additionalProperties: false }),
      scope: Type.Object({ id: Type.String(), displayName: Type.String(), type: Type.String() }, { additionalProperties: false }),
    }, { additionalProperties: false })),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

// ---- request bodies ----------------------------------------------------------------------------

const Text = (maxLength: number) => Type.String({ maxLength });

/**
 * What a reviewer may send for a stage. `displayName` is writable in Microsoft's reference but
 * names the policy's stage, not the decision, so Signoff accepts and ignores it; the read-only
 * fields are accepted and ignored too, so a client may send back a stage it read with a verdict.
 */
const DecisionFields = {
  reviewResult: Type.Optional(Text(32)),
  justification: Type.Optional(Nullable(Text(4000))),
  displayName: Type.Optional(Nullable(Text(400))),
  status: Type.Optional(Text(32)),
  assignedToMe: Type.Optional(Type.Boolean()),
  reviewedBy: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true }))),
  reviewedDateTime: Type.Optional(Nullable(Text(64))),
};

/** Microsoft's examples wrap the fields in `properties`; its OpenAPI schema sends them bare. Both are accepted. */
export const ArmDecisionBody = Type.Object({
  id: Type.Optional(Text(2000)),
  name: Type.Optional(Text(200)),
  type: Type.Optional(Text(200)),
  properties: Type.Optional(Type.Object(DecisionFields, { additionalProperties: false })),
  ...DecisionFields,
}, { additionalProperties: false });
export type ArmDecisionBody = Type.Static<typeof ArmDecisionBody>;

const NullableText = (maxLength: number) => Type.Optional(Nullable(Text(maxLength)));

export const ArmScheduleRequestBody = Type.Object({
  id: Type.Optional(Text(2000)),
  name: Type.Optional(Text(200)),
  type: Type.Optional(Text(200)),
  properties: Type.Object({
    principalId: Type.String({ minLength: 1, maxLength: 100 }),
    roleDefinitionId: Type.String({ minLength: 1, maxLength: 1000 }),
    requestType: Type.String({ minLength: 1, maxLength: 40 }),
    justification: NullableText(4000),
    scheduleInfo: Type.Optional(Nullable(Type.Object({
      startDateTime: NullableText(64),
      expiration: Type.Optional(Nullable(Type.Object({
        type: NullableText(32), duration: NullableText(64), endDateTime: NullableText(64),
      }, { additionalProperties: false }))),
    }, { additionalProperties: false }))),
    ticketInfo: Type.Optional(Nullable(Type.Object({ ticketNumber: NullableText(200), ticketSystem: NullableText(200) }, { additionalProperties: false }))),
    linkedRoleEligibilityScheduleId: NullableText(1000),
    targetRoleAssignmentScheduleId: NullableText(1000),
    targetRoleAssignmentScheduleInstanceId: NullableText(1000),
    condition: NullableText(4000),
    conditionVersion: NullableText(16),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type ArmScheduleRequestBody = Type.Static<typeof ArmScheduleRequestBody>;
