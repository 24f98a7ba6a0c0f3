import type { DomainEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import { appendEvents } from '../store/events-repo.js';
import type { Db } from '../store/store.js';
import type { Actor, Services } from './services.js';

/** Before/after snapshots keyed by the id the event is about (stage, request or assignment). */
export type Snapshots = ReadonlyMap<string, { before: unknown; after: unknown }>;

function targetOf(e: DomainEvent): { type: string; id: string } {
  if (e.assignmentId) return { type: 'assignment', id: e.assignmentId };
  if (e.stageId) return { type: 'approvalStage', id: e.stageId };
  return { type: 'request', id: e.requestId };
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
    payload: { type: e.type, family: e.family, requestId: e.requestId, stageId: e.stageId ?? null, assignmentId: e.assignmentId ?? null, actorId: actor.userId, occurredAt: now, data: e.data },
  }));
  await appendEvents(tx, services.store.dialect, audit, outbox);
}
