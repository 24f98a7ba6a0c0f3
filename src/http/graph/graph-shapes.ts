import Type from 'typebox';
import type { Approval, Stage } from '../../domain/approval.js';
import { decidersAt, effectiveStatus, isAssignedTo } from '../../domain/decision.js';
import type { Schedule } from '../../domain/request.js';
import type { Instant } from '../../domain/time.js';
import type { User } from '../../directory/directory-repo.js';
import type { Group } from '../../directory/directory-repo.js';
import type { StoredRequest } from '../../store/requests-repo.js';
import { type Annotations, type EntityType, type Served, entityType } from './odata.js';

export type GraphVersion = 'beta' | 'v1.0';

export interface ShapeContext {
  readonly version: GraphVersion;
  readonly callerId: string;
  readonly now: Instant;
  /** Users named in the shapes (reviewers, requestors), for display names. */
  readonly users: ReadonlyMap<string, User>;
}

/** Graph shows a not-yet-started stage as Initializing and an escalated one as InProgress. */
export function graphStepStatus(stage: Stage, now: Instant): 'Initializing' | 'InProgress' | 'Completed' | 'Expired' {
  const status = effectiveStatus(stage, now);
  if (status === 'NotStarted') return 'Initializing';
  if (status === 'Escalated') return 'InProgress';
  return status;
}

const REVIEW_RESULT = { NotReviewed: 'NotReviewed', Approve: 'Approved', Deny: 'Denied' } as const;

export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Step = Type.Object({
  id: Type.String(),
  displayName: Nullable(Type.String()),
  reviewedDateTime: Nullable(Type.String()),
  reviewResult: Type.String(),
  status: Type.String(),
  assignedToMe: Type.Boolean(),
  justification: Nullable(Type.String()),
  // beta's reviewedBy is a userIdentity collection; v1.0's is one identity.
  reviewedBy: Type.Unknown(),
});

/** beta calls the runtime decision item approvalStep, v1.0 approvalStage (specs/graph-approvals.md §0). */
export const STEP = {
  beta: entityType('microsoft.graph.approvalStep', Step),
  'v1.0': entityType('microsoft.graph.approvalStage', Step),
} as const;

export function stepShape(stage: Stage, approval: Approval, ctx: ShapeContext): Served<(typeof STEP)[GraphVersion]> {
  const reviewer = stage.reviewedBy ? ctx.users.get(stage.reviewedBy) : undefined;
  const identity = stage.reviewedBy ? { id: stage.reviewedBy, displayName: reviewer?.display_name ?? null } : null;
  return {
    id: stage.id,
    displayName: stage.config.displayName,
    reviewedDateTime: stage.reviewedAt,
    reviewResult: REVIEW_RESULT[stage.reviewResult],
    status: graphStepStatus(stage, ctx.now),
    assignedToMe: isAssignedTo(stage, ctx.callerId, ctx.now, approval.requestorId),
    justification: stage.justification,
    reviewedBy: ctx.version === 'beta'
      ? (identity ? [{ ...identity, userPrincipalName: reviewer?.user_principal_name ?? null }] : null)
      : identity,
    ...quorumProgress(stage),
    ...signoffTiming(stage, approval, ctx),
  };
}

/**
 * Signoff's instance annotations (OData clients ignore annotations they do not know): when the
 * stage started, escalates and expires, and who may decide it now, so an approver sees the
 * deadline and the other approvers without a second call.
 */
export function signoffTiming(stage: Stage, approval: Approval, ctx: Pick<ShapeContext, 'now' | 'users'>): Annotations {
  if (stage.startedAt === null) return {};
  return {
    '@signoff.startedDateTime': stage.startedAt,
    '@signoff.escalationDateTime': stage.escalateAt,
    '@signoff.expirationDateTime': stage.expireAt,
    '@signoff.approvers': decidersAt(stage, ctx.now, approval.requestorId)
      .map((id) => ({ id, displayName: ctx.users.get(id)?.display_name ?? null })),
  };
}

/** Reviewers and the approvers of open stages: the users whose names the stage shapes show. */
export function namedUserIds(approvals: readonly Approval[]): string[] {
  return approvals.flatMap((a) => a.stages.flatMap((s) => [s.reviewedBy, ...(s.startedAt && s.reviewResult === 'NotReviewed' ? [...s.approverIds, ...s.escalationApproverIds] : [])])
    .filter((x): x is string => x !== null));
}

/**
 * Signoff's k-of-n progress as OData instance annotations, which Microsoft's clients ignore; absent
 * when the stage needs one decision, so Graph's shape is exactly Microsoft's by default.
 */
function quorumProgress(stage: Stage): Annotations {
  if (stage.config.approvalsRequired <= 1) return {};
  return {
    '@signoff.approvalsRequired': stage.config.approvalsRequired,
    '@signoff.approvalsReceived': stage.approvals.length,
    '@signoff.approvedBy': stage.approvals.map((a) => a.reviewerId),
  };
}

export function stepsKey(version: GraphVersion): 'steps' | 'stages' {
  return version === 'beta' ? 'steps' : 'stages';
}

/**
 * Graph serves an approval with its steps (beta) or stages (v1.0) inline, and lets `$expand` name
 * them. Beta also answers to `stages`, as its `/stages` child path does and Graph's PIM-for-groups
 * beta examples embed: served inline as `steps`, and under `stages` when `$expand` names it.
 */
export const APPROVAL = {
  beta: entityType('microsoft.graph.approval', Type.Object({ id: Type.String(), steps: Type.Array(Type.Unknown()), stages: Type.Array(Type.Unknown()) }),
    { steps: STEP.beta, stages: STEP.beta }, ['steps']),
  'v1.0': entityType('microsoft.graph.approval', Type.Object({ id: Type.String(), stages: Type.Array(Type.Unknown()) }), { stages: STEP['v1.0'] }, ['stages']),
} as const;

export function approvalShape(approval: Approval, ctx: ShapeContext): Served<(typeof APPROVAL)[GraphVersion]> {
  const steps = approval.stages.map((s) => stepShape(s, approval, ctx));
  return ctx.version === 'beta'
    ? { '@odata.type': '#microsoft.graph.approval', id: approval.id, steps, stages: steps }
    : { '@odata.type': '#microsoft.graph.approval', id: approval.id, stages: steps };
}

/** A requested schedule as Graph's `requestSchedule`: a duration is served as asked, not as the end it works out to. */
export function scheduleShape(schedule: Schedule): Record<string, unknown> {
  return {
    startDateTime: schedule.startAt,
    recurrence: null,
    expiration: {
      type: schedule.expirationType,
      endDateTime: schedule.expirationType === 'afterDuration' ? null : schedule.endAt,
      duration: schedule.duration,
    },
  };
}

export function scheduleInfoShape(stored: StoredRequest): Record<string, unknown> {
  return scheduleShape(stored.request.schedule);
}

/** The schedule of a standing assignment or eligibility: from its start, to its end or with none. */
export function standingScheduleShape(startAt: string, endAt: string | null): Record<string, unknown> {
  return { startDateTime: startAt, recurrence: null, expiration: { type: endAt ? 'afterDateTime' : 'noExpiration', endDateTime: endAt, duration: null } };
}

/** Fields every Graph `request` subtype inherits. */
export const RequestBase = {
  id: Type.String(),
  status: Type.String(),
  createdDateTime: Type.String(),
  completedDateTime: Nullable(Type.String()),
  approvalId: Nullable(Type.String()),
  customData: Type.Null(),
  createdBy: Type.Unknown(),
};

export function requestBaseShape(stored: StoredRequest): Type.Static<Type.TObject<typeof RequestBase>> {
  const { request } = stored;
  return {
    id: request.id,
    status: request.status,
    createdDateTime: request.createdAt,
    completedDateTime: request.completedAt,
    approvalId: request.approvalId,
    customData: null,
    createdBy: { application: null, device: null, user: { displayName: null, id: request.createdBy } },
  };
}

/** A user's relationships as Graph documents them; `manager` is served (expansions.ts), the others accepted and omitted. */
const userNavigation: Record<string, EntityType | null> = {
  directReports: null, memberOf: null, transitiveMemberOf: null, ownedObjects: null, registeredDevices: null, ownedDevices: null,
  appRoleAssignments: null, createdObjects: null, oauth2PermissionGrants: null,
};

export const USER = entityType('microsoft.graph.user', Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  givenName: Nullable(Type.String()),
  surname: Nullable(Type.String()),
  userPrincipalName: Type.String(),
  mail: Nullable(Type.String()),
  jobTitle: Nullable(Type.String()),
  businessPhones: Type.Array(Type.String()),
  mobilePhone: Type.Null(),
  officeLocation: Type.Null(),
  preferredLanguage: Type.Null(),
}), userNavigation);
// A user's manager is a user, so nested options on it are checked against this same type.
userNavigation.manager = USER;

export function userShape(user: User): Served<typeof USER> {
  const [givenName, ...rest] = user.display_name.split(' ');
  return {
    id: user.id,
    displayName: user.display_name,
    givenName: givenName ?? null,
    surname: rest.join(' ') || null,
    userPrincipalName: user.user_principal_name,
    mail: user.mail,
    jobTitle: user.job_title,
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
  };
}

export const GROUP = entityType('microsoft.graph.group', Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  description: Nullable(Type.String()),
  mailNickname: Nullable(Type.String()),
  mailEnabled: Type.Boolean(),
  securityEnabled: Type.Boolean(),
  groupTypes: Type.Array(Type.String()),
  createdDateTime: Nullable(Type.String()),
}), { members: null, owners: null, memberOf: null, transitiveMembers: null, transitiveMemberOf: null });

export function groupShape(group: Group): Served<typeof GROUP> {
  return {
    id: group.id,
    displayName: group.display_name,
    description: group.description,
    mailNickname: group.mail_nickname,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    createdDateTime: group.created_at,
  };
}
