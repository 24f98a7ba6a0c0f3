/** The three Graph families of approvals and ARM's, read into one shape the views can show. */
import { ApiFailure, accessPackageName, graph, groupName, list, optional, roleName, userName } from './api.js';
import { formatSchedule, formatTicket } from './format.js';

/** Where each family lives in Graph. */
export const FAMILIES = {
  directoryRole: {
    label: 'Microsoft Entra role',
    approvals: '/beta/roleManagement/directory/roleAssignmentApprovals',
    requests: '/beta/roleManagement/directory/roleAssignmentScheduleRequests',
    mine: 'principal',
  },
  group: {
    label: 'Group',
    approvals: '/beta/identityGovernance/privilegedAccess/group/assignmentApprovals',
    requests: '/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests',
    mine: 'principal',
  },
  accessPackage: {
    label: 'Access package',
    approvals: '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals',
    requests: '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentRequests',
    mine: 'target',
    // Navigation properties (which package, for whom) come only when expanded.
    expand: '?$expand=accessPackage,accessPackageAssignment',
  },
  azureRole: {
    label: 'Azure role',
    // ARM addresses the tenant at the root; every approval shows there, whatever its scope.
    approvals: '/providers/Microsoft.Authorization/roleAssignmentApprovals',
  },
};

const ARM_APPROVALS_VERSION = 'api-version=2021-01-01-preview';
const ARM_REQUESTS_VERSION = 'api-version=2020-10-01';
const ARM_REVIEW_RESULT = { Approve: 'Approved', Deny: 'Denied' };

const enc = encodeURIComponent;

/** What a request asks for, whichever family's shape it has. */
export async function describeRequest(family, request) {
  if (!request) return { what: 'Details unavailable', principalId: null, status: null, created: null };
  if (family === 'azureRole') return describeArmRequest(request.properties ?? {});
  const common = {
    justification: request.justification ?? null,
    ticket: formatTicket(request.ticketInfo),
    created: request.createdDateTime ?? null,
    status: request.status ?? null,
  };
  if (family === 'directoryRole') {
    return {
      ...common, what: await roleName(request.roleDefinitionId), principalId: request.principalId,
      scope: request.directoryScopeId === '/' ? 'Whole directory (/)' : request.directoryScopeId,
      schedule: formatSchedule(request.scheduleInfo),
    };
  }
  if (family === 'group') {
    return {
      ...common, what: `${await groupName(request.groupId)} (${request.accessId ?? 'member'})`, principalId: request.principalId,
      scope: 'Group membership', schedule: formatSchedule(request.scheduleInfo),
    };
  }
  const assignment = request.accessPackageAssignment ?? request.assignment ?? {};
  const packageId = request.accessPackage?.id ?? assignment.accessPackageId;
  return {
    ...common,
    what: request.accessPackage?.displayName ?? await accessPackageName(packageId),
    principalId: assignment.targetId ?? request.requestor?.objectId ?? request.requestor?.id ?? null,
    scope: 'Access package assignment',
    schedule: formatSchedule(request.schedule),
    status: request.requestState ?? request.state ?? request.status ?? null,
  };
}

/** An ARM schedule request; `expandedProperties` names the role, else its definition's GUID is all there is. */
function describeArmRequest(p) {
  const expanded = p.expandedProperties ?? {};
  return {
    what: expanded.roleDefinition?.displayName ?? String(p.roleDefinitionId ?? 'Unknown role').split('/').pop(),
    principalId: p.principalId ?? null,
    scope: p.scope ?? null,
    justification: p.justification ?? null,
    ticket: formatTicket(p.ticketInfo),
    schedule: formatSchedule(p.scheduleInfo),
    created: p.createdOn ?? null,
    status: p.status ?? null,
  };
}

/** An ARM stage in Graph's step shape, so one card and one history row serve both. */
function armStep(stage) {
  const p = stage?.properties ?? {};
  const annotations = Object.fromEntries(Object.entries(p).filter(([key]) => key.startsWith('@signoff.')));
  return {
    ...annotations,
    id: stage.name,
    displayName: p.displayName ?? null,
    // ARM keeps an escalated stage's own status; it is still waiting for a decision.
    status: p.status === 'Escalated' ? 'InProgress' : p.status,
    reviewResult: ARM_REVIEW_RESULT[p.reviewResult] ?? p.reviewResult ?? 'NotReviewed',
    reviewedBy: p.reviewedBy ? { id: p.reviewedBy.principalId, displayName: p.reviewedBy.principalName || p.reviewedBy.userPrincipalName || null } : null,
    reviewedDateTime: p.reviewedDateTime ?? null,
    justification: p.justification ?? null,
  };
}

/** beta calls them steps, v1.0 stages; ARM keeps its stages in `properties`. */
export function stepsOf(approval) {
  if (approval?.properties) return (approval.properties.stages ?? []).map(armStep);
  return approval?.steps ?? approval?.stages ?? [];
}

export function reviewerOf(step) {
  const reviewedBy = Array.isArray(step?.reviewedBy) ? step.reviewedBy[0] : step?.reviewedBy;
  return reviewedBy ? { id: reviewedBy.id ?? null, name: reviewedBy.displayName ?? reviewedBy.userPrincipalName ?? 'another approver' } : null;
}

/**
 * The step in progress, its position, when it expires if no one decides and who may decide it:
 * Signoff annotates each started step with its deadlines and approvers.
 */
function currentStage(steps) {
  const index = steps.findIndex((s) => s.status === 'InProgress');
  if (index < 0) return null;
  const step = steps[index];
  const expires = Date.parse(step['@signoff.expirationDateTime'] ?? '');
  const escalates = Date.parse(step['@signoff.escalationDateTime'] ?? '');
  const approvers = Array.isArray(step['@signoff.approvers']) ? step['@signoff.approvers'] : [];
  return {
    step, number: index + 1, of: steps.length,
    expiresAt: Number.isNaN(expires) ? null : expires,
    escalatesAt: Number.isNaN(escalates) ? null : escalates,
    approvers: approvers.map((a) => a.displayName ?? a.id).sort((a, b) => a.localeCompare(b)),
  };
}

/** ARM's approval names its request (Signoff's annotation); the request is read where it was made. */
async function loadArm(approvalId, approval) {
  const appr = approval ?? await graph('GET', `${FAMILIES.azureRole.approvals}/${enc(approvalId)}?${ARM_APPROVALS_VERSION}`);
  const requestId = appr?.properties?.['@signoff.scheduleRequestId'];
  const req = requestId ? await optional(() => graph('GET', `${requestId}?${ARM_REQUESTS_VERSION}`)) : null;
  return [req, appr];
}

async function loadGraph(where, approvalId, request, approval) {
  return Promise.all([
    request ?? optional(() => graph('GET', `${where.requests}/${enc(approvalId)}${where.expand ?? ''}`)),
    approval ?? graph('GET', `${where.approvals}/${enc(approvalId)}`),
  ]);
}

/**
 * A break-glass review: the access is already active and the approval reviews it after the fact.
 * Its activation (same id) tells until when, and by when the review is due.
 */
async function emergencyOf(request, approvalId) {
  if (String(request?.action ?? '').toLowerCase() !== 'breakglass') return null;
  const activation = await optional(() => graph('GET', `/signoff/v1/breakGlass/activations/${enc(approvalId)}`));
  return {
    activeUntil: activation?.endDateTime ?? request.scheduleInfo?.expiration?.endDateTime ?? null,
    reviewBy: activation?.review?.deadline ?? null,
    status: activation?.status ?? request.status ?? null,
  };
}

/** One approval with what it is about, ready to show. `request` / `approval` are passed when a list already had them. */
export async function loadApproval({ family, approvalId, request, approval }) {
  const where = FAMILIES[family];
  const [req, appr] = family === 'azureRole' ? await loadArm(approvalId, approval) : await loadGraph(where, approvalId, request, approval);
  const described = await describeRequest(family, req);
  const steps = stepsOf(appr);
  return {
    family, familyLabel: where.label, approvalId, steps, ...described,
    requestor: described.principalId ? await userName(described.principalId) : 'Unknown requestor',
    stage: currentStage(steps),
    emergency: await emergencyOf(req, approvalId),
  };
}

/** Everything waiting for the caller's decision, across families, oldest first. A family this server does not serve shows nothing. */
export async function pendingForMe() {
  const [roles, groups, packages, azureRoles] = await Promise.all([
    list(`${FAMILIES.directoryRole.requests}/filterByCurrentUser(on='approver')`),
    optional(() => list(`${FAMILIES.group.approvals}/filterByCurrentUser(on='approver')`)),
    optional(() => list(`${FAMILIES.accessPackage.approvals}/filterByCurrentUser(on='approver')`)),
    optional(() => list(`${FAMILIES.azureRole.approvals}?${ARM_APPROVALS_VERSION}&$filter=asApprover()`)),
  ]);
  const refs = [
    ...roles.filter((r) => r.approvalId).map((r) => ({ family: 'directoryRole', approvalId: r.approvalId, request: r })),
    ...(groups ?? []).map((a) => ({ family: 'group', approvalId: a.id, approval: a })),
    ...(packages ?? []).map((a) => ({ family: 'accessPackage', approvalId: a.id, approval: a })),
    ...(azureRoles ?? []).map((a) => ({ family: 'azureRole', approvalId: a.name, approval: a })),
  ];
  const items = await Promise.all(refs.map(loadApproval));
  return items.sort((a, b) => String(a.created ?? '').localeCompare(String(b.created ?? '')));
}

/** Records a decision. A 409 is turned into who got there first, read back from the step. */
export async function decide(item, step, reviewResult, justification) {
  const arm = item.family === 'azureRole';
  const path = arm
    ? `${FAMILIES.azureRole.approvals}/${enc(item.approvalId)}/stages/${enc(step.id)}?${ARM_APPROVALS_VERSION}`
    : `${FAMILIES[item.family].approvals}/${enc(item.approvalId)}/steps/${enc(step.id)}`;
  try {
    await graph('PATCH', path, arm ? { properties: { reviewResult, justification } } : { reviewResult, justification });
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status !== 409) throw error;
    const read = await optional(() => graph('GET', path));
    const fresh = arm && read ? armStep(read) : read;
    const reviewer = reviewerOf(fresh);
    return { ok: false, conflict: true, reviewer: reviewer?.name ?? null, result: fresh?.reviewResult ?? null, message: error.message };
  }
}
