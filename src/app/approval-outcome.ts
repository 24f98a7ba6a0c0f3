import type { DomainEvent } from '../domain/events.js';
import type { Instant } from '../domain/time.js';
import { activeAssignmentFor, endAssignment } from '../store/assignments-repo.js';
import { type StoredRequest, setRequestStatus } from '../store/requests-repo.js';
import type { Db } from '../store/store.js';
import { endedEvent, provisionGrant } from './provision.js';
import type { Services } from './services.js';

export type ApprovalOutcome = 'Pending' | 'Granted' | 'Denied';

/**
 * An emergency activation was granted before its review: approval keeps it, while a Deny or an
 * unanswered deadline revokes what is still active and records the incident.
 */
async function settleReview(tx: Db, stored: StoredRequest, outcome: ApprovalOutcome, now: Instant): Promise<{ stored: StoredRequest; events: DomainEvent[] }> {
  const { request } = stored;
  const about = { family: request.target.family, requestId: request.id };
  if (outcome === 'Pending') return { stored, events: [] };
  if (outcome === 'Granted') return { stored, events: [{ ...about, type: 'breakGlass.reviewApproved', data: { principalId: request.principalId } }] };
  const events: DomainEvent[] = [];
  const active = await activeAssignmentFor(tx, request.target, request.principalId, now);
  const revoked = active?.request_id === request.id ? active : undefined;
  if (revoked) {
    await endAssignment(tx, revoked.id, now);
    events.push(endedEvent(revoked, request.id, now, 'breakGlassRevoked'));
  }
  const updated = await setRequestStatus(tx, stored, 'Revoked', now);
  events.push({ ...about, type: 'breakGlass.incident', data: { principalId: request.principalId, accessRevoked: revoked !== undefined, reason: 'reviewNotApproved' } });
  return { stored: updated, events };
}

/** What an approval's outcome does to its request: grant and provision, deny, or settle an emergency review. */
export async function settleApproval(tx: Db, services: Services, stored: StoredRequest, outcome: ApprovalOutcome, now: Instant): Promise<{ stored: StoredRequest; events: DomainEvent[] }> {
  if (stored.request.action === 'breakGlass') return settleReview(tx, stored, outcome, now);
  if (outcome === 'Denied') return { stored: await setRequestStatus(tx, stored, 'Denied', now), events: [] };
  if (outcome === 'Granted') return provisionGrant(tx, services, stored, now);
  return { stored, events: [] };
}
