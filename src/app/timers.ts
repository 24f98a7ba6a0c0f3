import { applyDeadlines } from '../domain/decision.js';
import type { DomainEvent } from '../domain/events.js';
import { dueApprovalIds, loadStages, saveChangedStages, syncInbox } from '../store/approvals-repo.js';
import { dueEndAssignments, endAssignment } from '../store/assignments-repo.js';
import { dueStartIds, getRequest, setRequestStatus } from '../store/requests-repo.js';
import { WriteConflictError } from '../store/store.js';
import { assembleApproval } from './approvals.js';
import { provisionGrant } from './provision.js';
import { recordEvents } from './record-events.js';
import { SYSTEM_ACTOR, type Services } from './services.js';

export interface TimerReport {
  escalated: number;
  expired: number;
  started: number;
  ended: number;
}

const BATCH = 200;

/** Another instance applied it first: its write won, nothing is left to do here. */
async function once(fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (error instanceof WriteConflictError) return false;
    throw error;
  }
}

/**
 * Makes every deadline that has passed durable: escalations, expiries, schedule starts and ends.
 * Each action is its own transaction with its audit event; the store's conditional writes make
 * each happen once even when several instances run timers together.
 */
export async function runDueTimers(services: Services): Promise<TimerReport> {
  const report: TimerReport = { escalated: 0, expired: 0, started: 0, ended: 0 };
  const { store } = services;
  const now = services.clock.now();
  for (let ids = await dueApprovalIds(store.db, now, BATCH); ids.length > 0; ids = await dueApprovalIds(store.db, now, BATCH)) {
    let progressed = 0;
    for (const id of ids) {
      const applied = await once(() => store.transaction(async (tx) => {
        const stored = await getRequest(tx, id);
        if (!stored) return;
        const stages = await loadStages(tx, id);
        const transition = applyDeadlines(assembleApproval(stored, stages), now);
        if (!transition) return;
        await saveChangedStages(tx, id, transition.changed, new Map(stages.map((s) => [s.id, s.version])));
        await syncInbox(tx, { approval: transition.approval, family: stored.request.target.family, stages: transition.changed, createdAt: stored.request.createdAt, now });
        if (transition.outcome === 'Denied') {
          await setRequestStatus(tx, stored, 'Denied', now);
          report.expired++;
        } else {
          report.escalated++;
        }
        await recordEvents(tx, services, SYSTEM_ACTOR, transition.events, now);
      }));
      if (applied) progressed++;
    }
    if (progressed === 0) break;
  }
  for (let ids = await dueStartIds(store.db, now, BATCH); ids.length > 0; ids = await dueStartIds(store.db, now, BATCH)) {
    let progressed = 0;
    for (const id of ids) {
      const applied = await once(() => store.transaction(async (tx) => {
        const stored = await getRequest(tx, id);
        if (!stored || stored.request.status !== 'Granted') throw new WriteConflictError('already started');
        const { events } = await provisionGrant(tx, services, stored, now);
        await recordEvents(tx, services, SYSTEM_ACTOR, events, now);
        report.started++;
      }));
      if (applied) progressed++;
    }
    if (progressed === 0) break;
  }
  for (let due = await dueEndAssignments(store.db, now, BATCH); due.length > 0; due = await dueEndAssignments(store.db, now, BATCH)) {
    let progressed = 0;
    for (const a of due) {
      const applied = await once(() => store.transaction(async (tx) => {
        await endAssignment(tx, a.id, now);
        const event: DomainEvent = {
          type: 'assignment.ended', family: a.family as DomainEvent['family'], requestId: a.request_id ?? a.id, assignmentId: a.id,
          data: { principalId: a.principal_id, resourceId: a.resource_id, scope: a.scope, endAt: a.end_at, reason: 'scheduleEnded' },
        };
        await recordEvents(tx, services, SYSTEM_ACTOR, [event], now);
        report.ended++;
      }));
      if (applied) progressed++;
    }
    if (progressed === 0) break;
  }
  return report;
}
