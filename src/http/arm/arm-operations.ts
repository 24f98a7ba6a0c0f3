import type Type from 'typebox';
import { decideStage, getApproval, getStage, listApprovals, listStages } from './approval-handlers.js';
import type { ArmContext, ArmResult } from './arm-context.js';
import { ArmDecisionBody, ArmScheduleRequestBody } from './arm-schemas.js';
import { OPERATIONS } from './arm-shapes.js';
import { createScheduleRequest, getScheduleRequest } from './schedule-request-handlers.js';

export const APPROVAL_API_VERSIONS = ['2021-01-01-preview'] as const;
export const SCHEDULE_REQUEST_API_VERSIONS = ['2020-10-01', '2020-10-01-preview', '2022-04-01-preview'] as const;

/**
 * Every ARM operation Signoff serves, in one table. `path` is what follows
 * `/providers/Microsoft.Authorization/`: `{name}` binds a parameter, `a|b` accepts either literal
 * (case-insensitive, as ARM is). Each operation answers at the tenant and under any `/{scope}`
 * unless it is `tenantOnly`.
 */
export interface ArmOperation {
  readonly operationId: string;
  readonly method: 'GET' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly apiVersions: readonly string[];
  readonly tenantOnly?: boolean;
  readonly body?: Type.TSchema;
  /** Gets the body already checked against `body`, so a handler may declare its type (method syntax allows that). */
  handle(ctx: ArmContext): Promise<ArmResult>;
}

const APPROVALS = 'roleAssignmentApprovals';
// The current OpenAPI revision says `stages`; an older one and some examples say `steps`.
const STAGE = `${APPROVALS}/{approvalId}/stages|steps/{stageId}`;

export const ARM_OPERATIONS: readonly ArmOperation[] = [
  {
    operationId: 'Operations_List', method: 'GET', path: 'operations', tenantOnly: true,
    apiVersions: [...new Set([...APPROVAL_API_VERSIONS, ...SCHEDULE_REQUEST_API_VERSIONS])],
    handle: async () => ({ status: 200, body: { value: OPERATIONS } }),
  },
  { operationId: 'RoleAssignmentApproval_List', method: 'GET', path: APPROVALS, apiVersions: APPROVAL_API_VERSIONS, handle: listApprovals },
  { operationId: 'RoleAssignmentApproval_GetById', method: 'GET', path: `${APPROVALS}/{approvalId}`, apiVersions: APPROVAL_API_VERSIONS, handle: getApproval },
  { operationId: 'RoleAssignmentApprovalSteps_List', method: 'GET', path: `${APPROVALS}/{approvalId}/stages|steps`, apiVersions: APPROVAL_API_VERSIONS, handle: listStages },
  { operationId: 'RoleAssignmentApprovalStep_GetById', method: 'GET', path: STAGE, apiVersions: APPROVAL_API_VERSIONS, handle: getStage },
  { operationId: 'RoleAssignmentApprovalStep_Patch', method: 'PATCH', path: STAGE, apiVersions: APPROVAL_API_VERSIONS, body: ArmDecisionBody, handle: decideStage },
  { operationId: 'RoleAssignmentApprovalStep_Put', method: 'PUT', path: STAGE, apiVersions: APPROVAL_API_VERSIONS, body: ArmDecisionBody, handle: decideStage },
  {
    operationId: 'RoleAssignmentScheduleRequests_Create', method: 'PUT', path: 'roleAssignmentScheduleRequests/{name}',
    apiVersions: SCHEDULE_REQUEST_API_VERSIONS, body: ArmScheduleRequestBody, handle: createScheduleRequest,
  },
  {
    operationId: 'RoleAssignmentScheduleRequests_Get', method: 'GET', path: 'roleAssignmentScheduleRequests/{name}',
    apiVersions: SCHEDULE_REQUEST_API_VERSIONS, handle: getScheduleRequest,
  },
];

/** Binds `segments` to an operation path, or returns null when they do not fit it. */
function bind(path: string, segments: readonly string[]): Record<string, string> | null {
  const parts = path.split('/');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!;
    const param = /^\{(\w+)\}$/.exec(part);
    if (param) params[param[1]!] = segment;
    else if (!part.toLowerCase().split('|').includes(segment.toLowerCase())) return null;
  }
  return params;
}

export type OperationMatch =
  | { readonly kind: 'found'; readonly operation: ArmOperation; readonly params: Record<string, string> }
  | { readonly kind: 'wrongMethod'; readonly allowed: readonly string[] }
  | { readonly kind: 'none' };

export function matchOperation(method: string, scope: string, segments: readonly string[]): OperationMatch {
  const fitting = ARM_OPERATIONS.flatMap((operation) => {
    if (operation.tenantOnly && scope !== '') return [];
    const params = bind(operation.path, segments);
    return params ? [{ operation, params }] : [];
  });
  const found = fitting.find((f) => f.operation.method === method);
  if (found) return { kind: 'found', ...found };
  return fitting.length > 0 ? { kind: 'wrongMethod', allowed: fitting.map((f) => f.operation.method) } : { kind: 'none' };
}
