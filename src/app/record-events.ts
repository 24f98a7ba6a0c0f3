import type { DirectoryEvent, DomainEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import { appendEvents } from '../store/events-repo.js';
import type { Db } from '../store/store.js';
import type { Actor, Services } from './services.js';

/** Before/after snapshots keyed by the id the event is about (stage, request or assignment). */
export type Snapshots = ReadonlyMap<string, { before: unknown; after: unknown }>;

function targetOf(e: DomainEvent): { type: string; id: string } {
  if (e.assignmentId) return { type: 'assignment', id: e.assignmentId };
  if (e.stageId) return { type: 'approvalStage', id: e.stageId };
  if (e.policyId) return { type: 'policy', id: e.policyId };
  if (e.eligibilityId) return { type: 'eligibility', id: e.eligibilityId };
  return { type: 'request', id: e.requestId ?? '' };
}

/** Writes each event to the audit log and the outbox in the caller's transaction. */
export async function recordEvents(tx: Db, services: Services, actor: Actor, events: readonly DomainEvent[], now: Instant, snapshots: Snapshots = new Map()): Promise<void> {
  const audit = events.map((e) => {
    const target = targetOf(e);
    const snap = snapshots.get(target.id);
    return {
      id: services.newId(), occurredAt: now, actorId: actor.userId, action: e.type, targetType: target.type, targetId: target.id,
      requestId: e.requestId, correlationId: actor.correlationId, clientIp: actor.clientIp,
      before: snap?.before ?? null, after: snap?.after ?? e.data,
    };
  });
  const outbox = events.map((e) => ({
    id: services.newId(), eventType: e.type, occurredAt: now, requestId: e.requestId,
    payload: { type: e.type, family: e.family, requestId: e.requestId, stageId: e.stageId ?? null, assignmentId: e.assignmentId ?? null, ...(e.policyId ? { policyId: e.policyId } : {}), actorId: actor.userId, occurredAt: now, data: e.data },
  }));
  await appendEvents(tx, services.store.dialect, audit, outbox);
}

/** The directory's counterpart of recordEvents: audit + outbox rows about users and groups, no request. */
export async function recordDirectoryEvents(tx: Db, services: Services, actor: Actor, events: readonly DirectoryEvent[], now: Instant): Promise<void> {
  const audit = events.map((e) => ({
    id: services.newId(), occurredAt: now, actorId: actor.userId, action: e.type, targetType: e.targetType, targetId: e.targetId,
    requestId: null, correlationId: actor.correlationId, clientIp: actor.clientIp, before: e.before, after: e.after,
  }));
  const outbox = events.map((e) => ({
    id: services.newId(), eventType: e.type, occurredAt: now, requestId: null,
    payload: { type: e.type, targetType: e.targetType, targetId: e.targetId, actorId: actor.userId, occurredAt: now, data: e.after ?? e.before },
  }));
  await appendEvents(tx, services.store.dialect, audit, outbox);
}
