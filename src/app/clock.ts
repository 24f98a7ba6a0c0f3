import { DomainError } from '../domain/errors.js';
import type { Instant } from '../domain/time.js';

/** The one source of `now` for approvals, schedules and timers. Token expiry keeps real time. */
export interface Clock {
  now(): Instant;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/**
 * The emulator's movable clock: real time plus an offset that only grows, so time never runs
 * backwards for anything already stored.
 */
export class DevClock implements Clock {
  private offsetMs: number;

  constructor(offsetMs = 0, private readonly realNow: () => number = Date.now) {
    this.offsetMs = Math.max(0, offsetMs);
  }

  now(): Instant {
    return new Date(this.realNow() + this.offsetMs).toISOString();
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new DomainError('INVALID_REQUEST', 'The clock only moves forward: advance by a positive duration.');
    this.offsetMs += ms;
  }

  set(target: Instant): void {
    const delta = Date.parse(target) - Date.parse(this.now());
    if (Number.isNaN(delta)) throw new DomainError('INVALID_REQUEST', `'${target}' is not an ISO 8601 date and time.`);
    if (delta < 0) throw new DomainError('INVALID_REQUEST', `The clock only moves forward; it is already ${this.now()}.`);
    this.offsetMs += delta;
  }

  /**
   * Restoring a snapshot brings the stored state back to an earlier instant; the clock goes back
   * with it (never below real time), so nothing stored lies in its future and no timer falls due early.
   */
  rewindTo(offsetMs: number): void {
    this.offsetMs = Math.max(0, offsetMs);
  }

  /** Another instance moved the shared clock further; follow it, never fall back. */
  follow(offsetMs: number): void {
    if (offsetMs > this.offsetMs) this.offsetMs = offsetMs;
  }
}
