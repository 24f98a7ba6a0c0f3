import type { FastifyBaseLogger } from 'fastify';
import { type TimerReport, runDueTimers } from '../app/timers.js';
import type { Services } from '../app/services.js';

export interface TimerLoop {
  /** Runs due timers now (or waits for the run in progress and runs again). */
  runNow(): Promise<TimerReport>;
  stop(): Promise<void>;
}

/**
 * Runs due timers every `intervalMs`, one run at a time. `beforeRun` lets an instance pick up a
 * clock moved by another instance sharing the store.
 */
export function startTimerLoop(services: Services, intervalMs: number, log: FastifyBaseLogger, beforeRun: () => Promise<void> = async () => {}): TimerLoop {
  let running: Promise<TimerReport> | null = null;
  let stopped = false;
  const run = async (): Promise<TimerReport> => {
    await beforeRun();
    return runDueTimers(services);
  };
  const runNow = async (): Promise<TimerReport> => {
    while (running) await running.catch(() => undefined);
    running = run().finally(() => { running = null; });
    return running;
  };
  const handle = setInterval(() => {
    if (stopped || running) return;
    runNow().then((r) => {
      if (r.escalated + r.expired + r.started + r.ended > 0) log.info({ timers: r }, 'timers applied');
    }).catch((err) => log.warn({ err }, 'timer run failed; will retry'));
  }, intervalMs);
  handle.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(handle);
      while (running) await running.catch(() => undefined);
    },
  };
}
