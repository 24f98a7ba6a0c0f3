import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../../src/app/time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids (UUID version 7)', () => {
  it('are GUIDs of version 7 with the RFC 9562 variant, and carry their millisecond', () => {
    const at = Date.parse('2026-12-01T08:00:00.123Z');
    const id = timeOrderedId(at + 1e6);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at + 1e6);
  });

  it('sort in the order they were made, also many within one millisecond and past 4,096 of them', () => {
    const now = Date.now() + 2e6;
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // A clock that steps back (NTP) does not break the order either.
    const after = timeOrderedId(now - 5000);
    expect(after > ids.at(-1)!).toBe(true);
  });

  it('keep 62 random bits, so instances sharing a store do not make the same id in the same millisecond', () => {
    const a = timeOrderedId(Date.now() + 3e6);
    const b = timeOrderedId(Date.now() + 3e6);
    expect(a.slice(19)).not.toBe(b.slice(19));
  });
});
