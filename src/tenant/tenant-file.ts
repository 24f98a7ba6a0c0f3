import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { MAX_POLICY_DURATION_MINUTES } from '../domain/policy-validation.js';
import { referenceProblems } from './tenant-references.js';

const Guid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Family = Type.Union([Type.Literal('directoryRole'), Type.Literal('group'), Type.Literal('accessPackage'), Type.Literal('azureRole')]);

const ApproverRef = Type.Union([
  Type.Object({ type: Type.Literal('singleUser'), userId: Guid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('groupMembers'), groupId: Guid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('requestorManager'), managerLevel: Type.Integer({ minimum: 1, maximum: 2 }) }, { additionalProperties: false }),
]);

/** Policy durations are bounded as on every policy route (domain/policy-validation.ts). */
const Minutes = (minimum: number) => Type.Integer({ minimum, maximum: MAX_POLICY_DURATION_MINUTES });

const PolicyStage = Type.Object({
  displayName: Type.Union([Type.String(), Type.Null()]),
  timeoutMinutes: Minutes(1),
  isApproverJustificationRequired: Type.Boolean(),
  isEscalationEnabled: Type.Boolean(),
  escalationMinutes: Minutes(0),
  primaryApprovers: Type.Array(ApproverRef, { minItems: 1 }),
  escalationApprovers: Type.Array(ApproverRef),
  approvalsRequired: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false });

const Named = { displayName: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()) };

/** One file describes a whole tenant: the built-in demo is such a file (`tenants/demo.json`). */
export const TenantFileSchema = Type.Object({
  /** Lets editors find the published schema (`tenants/tenant.schema.json`). */
  $schema: Type.Optional(Type.String()),
  tenant: Type.Object({ id: Guid, domain: Type.String({ minLength: 1 }), displayName: Type.String() }, { additionalProperties: false }),
  users: Type.Array(Type.Object({
    id: Guid, userPrincipalName: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), displayName: Type.String({ minLength: 1 }),
    jobTitle: Type.Optional(Type.String()), mail: Type.Optional(Type.String()), managerId: Type.Optional(Guid),
  }, { additionalProperties: false })),
  groups: Type.Array(Type.Object({ id: Guid, ...Named, members: Type.Array(Guid) }, { additionalProperties: false })),
  directoryRoles: Type.Array(Type.Object({ id: Guid, ...Named }, { additionalProperties: false })),
  azureRoles: Type.Array(Type.Object({ id: Guid, ...Named }, { additionalProperties: false })),
  catalogs: Type.Array(Type.Object({ id: Guid, ...Named }, { additionalProperties: false })),
  accessPackages: Type.Array(Type.Object({
    id: Guid, catalogId: Guid, ...Named, assignmentPolicyId: Guid, assignmentPolicyName: Type.String(),
  }, { additionalProperties: false })),
  policies: Type.Array(Type.Object({
    id: Type.String({ minLength: 1 }), family: Family, resourceId: Guid, scope: Type.String({ minLength: 1 }), displayName: Type.String(),
    approval: Type.Object({
      mode: Type.Union([Type.Literal('NoApproval'), Type.Literal('SingleStage'), Type.Literal('Serial')]),
      isRequestorJustificationRequired: Type.Boolean(),
      stages: Type.Array(PolicyStage, { maxItems: 3 }),
    }, { additionalProperties: false }),
    activation: Type.Object({
      maximumDurationMinutes: Minutes(1),
      isJustificationRequired: Type.Boolean(),
      isTicketingRequired: Type.Boolean(),
    }, { additionalProperties: false }),
  }, { additionalProperties: false })),
  eligibilities: Type.Array(Type.Object({ principalId: Guid, family: Family, resourceId: Guid, scope: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
  assignments: Type.Array(Type.Object({ principalId: Guid, family: Family, resourceId: Guid, scope: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
}, { additionalProperties: false });

export type TenantFile = Static<typeof TenantFileSchema>;

export class TenantFileError extends Error {
  /** `path`: the JSON Pointer of the bad field. */
  constructor(message: string, readonly path: string = '/') {
    super(message);
    this.name = 'TenantFileError';
  }
}

/** Checks a parsed tenant file; the error names the path of the first bad field. */
export function parseTenantFile(value: unknown): TenantFile {
  if (Value.Check(TenantFileSchema, value)) {
    const [problem] = referenceProblems(value);
    if (problem) throw new TenantFileError(`Tenant file is invalid at '${problem.path}': ${problem.message}.`, problem.path);
    return value;
  }
  const first = [...Value.Errors(TenantFileSchema, value)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  throw new TenantFileError(`Tenant file is invalid at '${first?.instancePath || '/'}': ${first?.message ?? 'does not match the schema'}.`, first?.instancePath || '/');
}
