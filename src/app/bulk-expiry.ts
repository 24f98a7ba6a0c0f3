import { applyDeadlines } from '../domain/decision.js';
import type { DomainEvent } from '../domain/events.js';
import { loadStagesFor } from '../store/approvals-repo.js';
import { claimExpiredApprovals, expireBatch } from '../store/bulk-expiry-repo.js';
import { getRequests } from '../store/requests-repo.js';
import { WriteConflictError } from '../store/store.js';
import { assembleApproval } from './approvals.js';
import { recordEvents } from './record-events.js';
import { SYSTEM_ACTOR, type Services } from './services.js';

const BATCH = 2000;

/**
 * Expiry is the timer action that comes in floods (a quiet weekend, a restored backup): it is
 * applied a batch per transaction with set-based writes, each approval still decided by the pure
 * rules and audited with its own events. Returns how many expired; whatever a batch could not take
 * (a race, an approval the rules leave alone) is left to the one-at-a-time path.
 */
export async function expireInBatches(services: Services, now: string): Promise<number> {
  let expired = 0;
  for (;;) {
    let applied = 0;
    try {
      applied = await services.store.transaction(async (tx) => {
        const ids = [...new Set(await claimExpiredApprovals(tx, services.store.dialect, now, BATCH))];
        if (ids.length === 0) return 0;
        const requests = await getRequests(tx, ids);
        const stages = await loadStagesFor(tx, ids);
        const stageIds: string[] = [];
        const requestIds: string[] = [];
        const events: DomainEvent[] = [];
        for (const id of ids) {
          const stored = requests.get(id);
          if (!stored || stored.request.status !== 'PendingApproval') continue;
          const transition = applyDeadlines(assembleApproval(stored, stages.get(id) ?? []), now);
          if (!transition || transition.outcome !== 'Denied') continue;
          stageIds.push(...transition.changed.map((s) => s.id));
          requestIds.push(id);
          events.push(...transition.events);
        }
        await expireBatch(tx, { stageIds, requestIds, now });
        await recordEvents(tx, services, SYSTEM_ACTOR, events, now);
        return requestIds.length;
      });
    } catch (error) {
      if (error instanceof WriteConflictError) return expired;
      throw error;
    }
    expired += applied;
    if (applied < BATCH) return expired;
  }
}
