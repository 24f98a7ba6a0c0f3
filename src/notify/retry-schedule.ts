/**
 * Delays before each retry, after the Standard Webhooks recommendation: together they span more
 * than 27 hours, so a receiver that is down for a day still gets its events.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000,
];

/** The most attempts one delivery gets before it is marked failed (the first try plus the retries). */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Jitter only adds (up to a fifth), so the schedule never shrinks below its documented span and receivers recovering together are not hit at once. */
export const MAX_JITTER = 0.2;

/**
 * How long to wait after `attemptsMade` failed attempts, or null when the schedule is exhausted.
 * `random` is in [0, 1).
 */
export function retryDelayMs(attemptsMade: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + MAX_JITTER * random));
}
