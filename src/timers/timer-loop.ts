import type { FastifyBaseLogger } from 'fastify';
import { type TimerReport, runDueTimers } from '../app/timers.js';
import type { Services } from '../app/services.js';
import { type SerialLoop, startSerialLoop } from './serial-loop.js';

export type TimerLoop = SerialLoop<TimerReport>;

/**
 * Runs due timers every `intervalMs`, one run at a time. `beforeRun` lets an instance pick up a
 * clock moved by another instance sharing the store.
 */
export function startTimerLoop(services: Services, intervalMs: number, log: FastifyBaseLogger, beforeRun: () => Promise<void> = async () => {}): TimerLoop {
  return startSerialLoop(
    async () => {
      await beforeRun();
      return runDueTimers(services);
    },
    intervalMs,
    (r) => {
      if (r.escalated + r.expired + r.started + r.ended > 0) log.info({ timers: r }, 'timers applied');
    },
    (err) => log.warn({ err }, 'timer run failed; will retry'),
  );
}
