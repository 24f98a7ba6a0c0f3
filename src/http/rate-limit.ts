import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import type { Authenticator } from './authenticate.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Beyond this many callers, buckets that have refilled completely are forgotten. */
const MAX_TRACKED = 10_000;

/**
 * A token bucket per key: a minute's allowance as burst, refilled continuously. Buckets live in
 * this process, so each instance behind a load balancer counts on its own.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token; answers null when allowed, or the seconds to wait when refused. */
  take(key: string): number | null {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_TRACKED) this.forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

function charge(limiter: RateLimiter, key: string): void {
  const wait = limiter.take(key);
  if (wait !== null) {
    throw new ApiError('RATE_LIMITED', `Too many requests. Retry after ${wait} seconds.`, { retryAfterSeconds: wait });
  }
}

/**
 * Counts each request against its caller, or against its address when it does not authenticate
 * (so a flood of bad tokens is throttled too), as Graph throttles per app and user.
 */
export function withRateLimit(authenticator: Authenticator, limiter: RateLimiter | null): Authenticator {
  if (!limiter) return authenticator;
  return {
    async authenticate(request: FastifyRequest) {
      let caller;
      try {
        caller = await authenticator.authenticate(request);
      } catch (error) {
        charge(limiter, `ip:${request.ip}`);
        throw error;
      }
      charge(limiter, `caller:${caller.userId}`);
      return caller;
    },
  };
}
