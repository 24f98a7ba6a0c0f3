import { DomainError } from '../domain/errors.js';
import { type Instant, LATEST_INSTANT } from '../domain/time.js';

/** The one source of `now` for approvals, schedules and timers. Token expiry keeps real time. */
export interface Clock {
  now(): Instant;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** The dev clock stops at the last instant Signoff keeps (see domain/time.ts). */
const LATEST_MS = Date.parse(LATEST_INSTANT);

/**
 * The emulator's movable clock: real time plus an offset that only grows, so time never runs
 * backwards for anything already stored. A move is computed and checked first (`offsetAfter`,
 * `offsetToReach`), so a caller can store the new offset before the clock takes it (`follow`).
 */
export class DevClock implements Clock {
  private offsetMs: number;

  constructor(offsetMs = 0, private readonly realNow: () => number = Date.now) {
    this.offsetMs = this.canHold(offsetMs) ? offsetMs : 0;
  }

  now(): Instant {
    // Real time runs on after the clock was set to its last instant; the reading stays there.
    return new Date(Math.min(this.realNow() + this.offsetMs, LATEST_MS)).toISOString();
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Whether `offsetMs` keeps the clock on this side of LATEST_INSTANT. */
  canHold(offsetMs: number): boolean {
    return Number.isFinite(offsetMs) && offsetMs >= 0 && this.realNow() + offsetMs <= LATEST_MS;
  }

  /** The offset `advance(ms)` gives; throws if the move is not allowed. Moves nothing. */
  offsetAfter(ms: number): number {
    if (!(ms >= 0)) throw new DomainError('INVALID_REQUEST', 'The clock only moves forward: advance by a positive duration.');
    return this.checked(this.offsetMs + ms);
  }

  /** The offset `set(target)` gives; throws if the move is not allowed. Moves nothing. */
  offsetToReach(target: Instant): number {
    const delta = Date.parse(target) - Date.parse(this.now());
    if (Number.isNaN(delta)) throw new DomainError('INVALID_REQUEST', `'${target}' is not an ISO 8601 date and time.`);
    if (delta < 0) throw new DomainError('INVALID_REQUEST', `The clock only moves forward; it is already ${this.now()}.`);
    return this.checked(this.offsetMs + delta);
  }

  advance(ms: number): void {
    this.offsetMs = this.offsetAfter(ms);
  }

  set(target: Instant): void {
    this.offsetMs = this.offsetToReach(target);
  }

  /**
   * Restoring a snapshot brings the stored state back to an earlier instant; the clock goes back
   * with it (never below real time), so nothing stored lies in its future and no timer falls due early.
   */
  rewindTo(offsetMs: number): void {
    this.offsetMs = this.canHold(offsetMs) ? offsetMs : 0;
  }

  /**
   * Another instance moved the shared clock further; follow it, never fall back. False when the
   * offset is one the clock cannot hold, which it then ignores.
   */
  follow(offsetMs: number): boolean {
    if (!this.canHold(offsetMs)) return false;
    if (offsetMs > this.offsetMs) this.offsetMs = offsetMs;
    return true;
  }

  private checked(offsetMs: number): number {
    if (!this.canHold(offsetMs)) throw new DomainError('INVALID_REQUEST', `The clock cannot go past ${LATEST_INSTANT}; it is ${this.now()}.`);
    return offsetMs;
  }
}
