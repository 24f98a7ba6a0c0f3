import { applyDeadlines } from '../domain/decision.js';
import type { DomainEvent } from '../domain/events.js';
import { claimDueApproval, loadStages, saveChangedStages, syncInbox } from '../store/approvals-repo.js';
import { type Assignment, claimDueEnd, endAssignment } from '../store/assignments-repo.js';
import { claimDueStart, getRequest } from '../store/requests-repo.js';
import { type Db, WriteConflictError } from '../store/store.js';
import { assembleApproval } from './approvals.js';
import { expireInBatches } from './bulk-expiry.js';
import { settleApproval } from './approval-outcome.js';
import { provisionGrant } from './provision.js';
import { recordEvents } from './record-events.js';
import { SYSTEM_ACTOR, type Services } from './services.js';

export interface TimerReport {
  escalated: number;
  expired: number;
  started: number;
  ended: number;
}

type Outcome = keyof TimerReport;

interface DueWork<T extends { id: string }> {
  /** Claims one due item not in `passed` (PostgreSQL: locked, skipping items other instances hold). */
  claim(tx: Db, passed: readonly string[]): Promise<T | null>;
  /** Applies it in the same transaction; null when it turns out to need nothing. */
  apply(tx: Db, item: T): Promise<Outcome | null>;
}

/**
 * Claims and applies due items one transaction at a time until none is left. An item that needs
 * nothing, or whose write lost to another writer, is passed over for the rest of this run so the
 * loop always ends; the next run looks at it afresh.
 */
async function drain<T extends { id: string }>(services: Services, work: DueWork<T>, report: TimerReport): Promise<void> {
  const passed: string[] = [];
  for (;;) {
    const claimed: { id: string | null } = { id: null };
    let outcome: Outcome | null = null;
    try {
      outcome = await services.store.transaction(async (tx) => {
        const item = await work.claim(tx, passed);
        claimed.id = item?.id ?? null;
        return item ? work.apply(tx, item) : null;
      });
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      outcome = null;
    }
    if (claimed.id === null) return;
    if (outcome) report[outcome]++;
    else passed.push(claimed.id);
  }
}

function deadlines(services: Services, now: string): DueWork<{ id: string }> {
  return {
    claim: (tx, passed) => claimDueApproval(tx, services.store.dialect, now, passed),
    async apply(tx, { id }) {
      const stored = await getRequest(tx, id);
      if (!stored) return null;
      const stages = await loadStages(tx, id);
      const transition = applyDeadlines(assembleApproval(stored, stages), now);
      if (!transition) return null;
      await saveChangedStages(tx, id, transition.changed, new Map(stages.map((s) => [s.id, s.version])));
      await syncInbox(tx, { approval: transition.approval, family: stored.request.target.family, stages: transition.changed, createdAt: stored.request.createdAt, now });
      const settled = await settleApproval(tx, services, stored, transition.outcome, now);
      await recordEvents(tx, services, SYSTEM_ACTOR, [...transition.events, ...settled.events], now);
      return transition.outcome === 'Denied' ? 'expired' : 'escalated';
    },
  };
}

function scheduleStarts(services: Services, now: string): DueWork<{ id: string }> {
  return {
    claim: (tx, passed) => claimDueStart(tx, services.store.dialect, now, passed),
    async apply(tx, { id }) {
      const stored = await getRequest(tx, id);
      if (!stored || stored.request.status !== 'Granted') return null;
      const { events } = await provisionGrant(tx, services, stored, now);
      await recordEvents(tx, services, SYSTEM_ACTOR, events, now);
      return 'started';
    },
  };
}

function scheduleEnds(services: Services, now: string): DueWork<Assignment> {
  return {
    claim: (tx, passed) => claimDueEnd(tx, services.store.dialect, now, passed),
    async apply(tx, a) {
      await endAssignment(tx, a.id, now);
      const event: DomainEvent = {
        type: 'assignment.ended', family: a.family as DomainEvent['family'], requestId: a.request_id ?? a.id, assignmentId: a.id,
        data: { principalId: a.principal_id, resourceId: a.resource_id, scope: a.scope, endAt: a.end_at, reason: 'scheduleEnded' },
      };
      await recordEvents(tx, services, SYSTEM_ACTOR, [event], now);
      return 'ended';
    },
  };
}

/**
 * Makes every deadline that has passed durable: escalations, expiries, schedule starts and ends.
 * Each action is its own transaction with its audit event. Instances claim different items, and
 * the version-guarded writes still make each action happen once if two ever meet on one.
 */
export async function runDueTimers(services: Services): Promise<TimerReport> {
  const report: TimerReport = { escalated: 0, expired: 0, started: 0, ended: 0 };
  const now = services.clock.now();
  report.expired += await expireInBatches(services, now);
  await drain(services, deadlines(services, now), report);
  await drain(services, scheduleStarts(services, now), report);
  await drain(services, scheduleEnds(services, now), report);
  return report;
}
