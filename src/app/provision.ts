import type { DomainEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import { insertAssignment } from '../store/assignments-repo.js';
import { type StoredRequest, setRequestStatus } from '../store/requests-repo.js';
import type { Db } from '../store/store.js';
import type { Services } from './services.js';

/**
 * A granted request becomes an active assignment once its schedule starts; before that it waits
 * as `Granted` and the schedule timer provisions it.
 */
export async function provisionGrant(tx: Db, services: Services, stored: StoredRequest, now: Instant): Promise<{ stored: StoredRequest; events: DomainEvent[] }> {
  const { request } = stored;
  if (request.schedule.startAt > now) {
    const granted = stored.request.status === 'Granted' ? stored : await setRequestStatus(tx, stored, 'Granted', null);
    return { stored: granted, events: [] };
  }
  const assignmentId = services.newId();
  await insertAssignment(tx, {
    id: assignmentId, family: request.target.family, request_id: request.id, principal_id: request.principalId,
    resource_id: request.target.resourceId, scope: request.target.scope, start_at: request.schedule.startAt,
    end_at: request.schedule.endAt, status: 'Active', created_at: now, ended_at: null,
  });
  const provisioned = await setRequestStatus(tx, stored, 'Provisioned', now);
  return {
    stored: provisioned,
    events: [{
      type: 'assignment.started', family: request.target.family, requestId: request.id, assignmentId,
      data: { principalId: request.principalId, resourceId: request.target.resourceId, scope: request.target.scope, startAt: request.schedule.startAt, endAt: request.schedule.endAt },
    }],
  };
}
