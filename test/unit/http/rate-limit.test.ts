import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/http/rate-limit.js';

describe('the per-caller token bucket', () => {
  it('allows a minute\'s allowance at once, then one more per refill interval, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('alice')).toBeNull();
    expect(limiter.take('alice')).toBe(1);
    expect(limiter.take('bob')).toBeNull();
    now += 1000;
    expect(limiter.take('alice')).toBeNull();
    expect(limiter.take('alice')).toBe(1);
  });

  it('answers how long until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    limiter.take('k');
    limiter.take('k');
    expect(limiter.take('k')).toBe(30);
    now += 20_000;
    expect(limiter.take('k')).toBe(10);
  });
});
