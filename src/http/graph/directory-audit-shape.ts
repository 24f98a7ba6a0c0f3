import Type from 'typebox';
import type { User } from '../../directory/directory-repo.js';
import { CHAIN_START, type ChainCheck, type StoredAuditEvent, checkChain } from '../../store/audit-repo.js';
import type { AuditRecord } from '../../store/events-repo.js';
import { Nullable } from './graph-shapes.js';
import { type Served, entityType } from './odata.js';

/** The keyset position in a `$skiptoken` of audit pages: events before this seq come next. */
export const isAuditPosition = (v: unknown): v is { beforeSeq: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { beforeSeq: unknown }).beforeSeq);

const ACTIVITY: Readonly<Record<string, { name: string; operation: string }>> = {
  'request.created': { name: 'Add request', operation: 'Add' },
  'request.granted': { name: 'Grant request', operation: 'Update' },
  'request.denied': { name: 'Deny request', operation: 'Update' },
  'request.canceled': { name: 'Cancel request', operation: 'Update' },
  'stage.started': { name: 'Start approval stage', operation: 'Update' },
  'stage.escalated': { name: 'Escalate approval stage', operation: 'Update' },
  'stage.decided': { name: 'Decide approval stage', operation: 'Update' },
  'approval.expired': { name: 'Expire approval', operation: 'Update' },
  'assignment.started': { name: 'Add assignment', operation: 'Assign' },
  'assignment.ended': { name: 'Remove assignment', operation: 'Unassign' },
  'policy.updated': { name: 'Update policy', operation: 'Update' },
  'webhook.created': { name: 'Add webhook subscription', operation: 'Add' },
  'webhook.deleted': { name: 'Delete webhook subscription', operation: 'Delete' },
  'webhook.redelivered': { name: 'Redeliver webhook', operation: 'Update' },
};

/** Graph's categories for the families; events about the directory itself are DirectoryManagement. */
const CATEGORY: Readonly<Record<string, string>> = {
  directoryRole: 'RoleManagement',
  azureRole: 'RoleManagement',
  group: 'GroupManagement',
  accessPackage: 'EntitlementManagement',
};

/** By the request's family; otherwise by what the action is about. */
function categoryOf(e: StoredAuditEvent): string {
  if (e.family && CATEGORY[e.family]) return CATEGORY[e.family]!;
  if (e.action.startsWith('directory.')) return 'DirectoryManagement';
  if (e.action.startsWith('policy.')) return 'Policy';
  if (e.action.startsWith('webhook.')) return 'Webhooks';
  return 'Other';
}

function parse(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}

/** Before/after as Graph's modifiedProperties: one entry per field the event records, values as JSON text. */
function modifiedProperties(before: unknown, after: unknown): { displayName: string; oldValue: string | null; newValue: string | null }[] {
  const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});
  const b = asRecord(before);
  const a = asRecord(after);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].map((key) => ({
    displayName: key,
    oldValue: key in b ? JSON.stringify(b[key]) : null,
    newValue: key in a ? JSON.stringify(a[key]) : null,
  }));
}

/**
 * One audit event in the shape of Graph's `directoryAudit`, plus what Signoff's log keeps beyond it:
 * the raw fields, before/after, and the hash chain (`sequence`, `prevHash`, `hash`), so an export
 * can be verified on its own.
 */
export const DIRECTORY_AUDIT = entityType('microsoft.graph.directoryAudit', Type.Object({
  id: Type.String(),
  activityDateTime: Type.String(),
  activityDisplayName: Type.String(),
  category: Type.String(),
  correlationId: Nullable(Type.String()),
  loggedByService: Type.String(),
  operationType: Type.String(),
  result: Type.String(),
  resultReason: Type.String(),
  initiatedBy: Type.Unknown(),
  targetResources: Type.Array(Type.Unknown()),
  additionalDetails: Type.Array(Type.Unknown()),
  // Signoff's own fields beyond Graph's directoryAudit.
  action: Type.String(),
  actorId: Nullable(Type.String()),
  targetType: Type.String(),
  targetId: Type.String(),
  requestId: Nullable(Type.String()),
  clientIp: Nullable(Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
  sequence: Type.Number(),
  prevHash: Type.String(),
  hash: Type.String(),
}));

export function directoryAuditShape(e: StoredAuditEvent, users: ReadonlyMap<string, User>): Served<typeof DIRECTORY_AUDIT> {
  const activity = ACTIVITY[e.action];
  const user = e.actor_id ? users.get(e.actor_id) : undefined;
  const before = parse(e.before);
  const after = parse(e.after);
  return {
    id: e.id,
    activityDateTime: e.occurred_at,
    activityDisplayName: activity?.name ?? e.action,
    category: categoryOf(e),
    correlationId: e.correlation_id,
    loggedByService: 'Signoff',
    operationType: activity?.operation ?? 'Update',
    result: 'success',
    resultReason: '',
    initiatedBy: e.actor_id
      ? { user: { id: e.actor_id, displayName: user?.display_name ?? null, userPrincipalName: user?.user_principal_name ?? null, ipAddress: e.client_ip }, app: null }
      : { user: null, app: { displayName: 'Signoff', appId: null, servicePrincipalId: null, servicePrincipalName: 'Signoff timers' } },
    targetResources: [{ id: e.target_id, type: e.target_type, displayName: null, userPrincipalName: null, modifiedProperties: modifiedProperties(before, after) }],
    additionalDetails: [
      ...(e.request_id ? [{ key: 'requestId', value: e.request_id }] : []),
      ...(e.family ? [{ key: 'family', value: e.family }] : []),
    ],
    action: e.action,
    actorId: e.actor_id,
    targetType: e.target_type,
    targetId: e.target_id,
    requestId: e.request_id,
    clientIp: e.client_ip,
    before,
    after,
    sequence: Number(e.seq),
    prevHash: e.prev_hash,
    hash: e.hash,
  };
}

/** The fields of an exported event that its hash covers, as `directoryAuditShape` writes them. */
export interface ExportedAuditEvent {
  readonly id: string;
  readonly activityDateTime: string;
  readonly correlationId: string | null;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly requestId: string | null;
  readonly clientIp: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly sequence: number;
  readonly prevHash: string;
  readonly hash: string;
}

function recordOfExport(e: ExportedAuditEvent): AuditRecord {
  return {
    id: e.id, occurredAt: e.activityDateTime, actorId: e.actorId, action: e.action, targetType: e.targetType, targetId: e.targetId,
    requestId: e.requestId, correlationId: e.correlationId, clientIp: e.clientIp, before: e.before, after: e.after,
  };
}

/**
 * Checks an export (`GET /signoff/v1/audit/export`) on its own, without the store. An export from
 * `since` starts mid-chain, so it is checked from its first event's `prevHash`; one that starts at
 * the first event is checked from the chain's beginning.
 */
export function verifyExportedAudit(events: readonly ExportedAuditEvent[]): ChainCheck {
  const first = events[0];
  if (!first) return CHAIN_START;
  const start: ChainCheck = first.sequence === 1 ? CHAIN_START : { ...CHAIN_START, prevHash: first.prevHash };
  return checkChain(start, events.map((e) => ({ seq: e.sequence, id: e.id, prevHash: e.prevHash, hash: e.hash, record: () => recordOfExport(e) })));
}
