import type { DomainEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import { isExtension } from '../domain/lifecycle.js';
import { lockAccess } from '../store/access-lock.js';
import { type Assignment, activeAssignmentFor, endAssignment, insertAssignment } from '../store/assignments-repo.js';
import { type StoredRequest, setRequestStatus } from '../store/requests-repo.js';
import type { Db } from '../store/store.js';
import type { Services } from './services.js';

/**
 * A granted request becomes an active assignment once its schedule starts; before that it waits
 * as `Granted` and the schedule timer provisions it.
 */
export async function provisionGrant(tx: Db, services: Services, stored: StoredRequest, now: Instant): Promise<{ stored: StoredRequest; events: DomainEvent[] }> {
  const { request } = stored;
  // Approvals and schedule starts grant too, while a new request for the same access may be checking.
  await lockAccess(tx, services.store.dialect, request.target, request.principalId);
  if (request.schedule.startAt > now) {
    const granted = stored.request.status === 'Granted' ? stored : await setRequestStatus(tx, stored, 'Granted', null);
    return { stored: granted, events: [] };
  }
  // An extension replaces the assignment it extends: the old one ends as the new schedule begins.
  const replaced = isExtension(request.action) ? await activeAssignmentFor(tx, request.target, request.principalId, now) : undefined;
  if (replaced) await endAssignment(tx, replaced.id, now);
  const assignmentId = services.newId();
  await insertAssignment(tx, {
    id: assignmentId, family: request.target.family, request_id: request.id, principal_id: request.principalId,
    resource_id: request.target.resourceId, scope: request.target.scope, start_at: request.schedule.startAt,
    end_at: request.schedule.endAt, status: 'Active', created_at: now, ended_at: null,
  });
  const provisioned = await setRequestStatus(tx, stored, 'Provisioned', now);
  return {
    stored: provisioned,
    events: [...(replaced ? [endedEvent(replaced, request.id, now, 'extended')] : []), {
      type: 'assignment.started', family: request.target.family, requestId: request.id, assignmentId,
      data: { principalId: request.principalId, resourceId: request.target.resourceId, scope: request.target.scope, startAt: request.schedule.startAt, endAt: request.schedule.endAt },
    }],
  };
}

/** The event of an assignment ending before or at its schedule's end, with why. */
export function endedEvent(a: Assignment, requestId: string, now: Instant, reason: string): DomainEvent {
  return {
    type: 'assignment.ended', family: a.family as DomainEvent['family'], requestId, assignmentId: a.id,
    data: { principalId: a.principal_id, resourceId: a.resource_id, scope: a.scope, endAt: now, reason },
  };
}
