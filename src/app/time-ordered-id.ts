import { getRandomValues } from 'node:crypto';

const POOL_IDS = 512;
const RANDOM_BYTES = 8;
const pool = new Uint8Array(RANDOM_BYTES * POOL_IDS);
let poolNext = POOL_IDS;
let lastMs = -1;
let sequence = 0;
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit sequence and 62 random
 * bits. Ids made later sort later, so the rows that carry them (audit events, outbox rows,
 * requests) append to the end of their primary-key and id indexes instead of landing on a random
 * page each: on a long history that is the difference between writing one hot page and reading and
 * writing a cold one per row. Within a millisecond the sequence keeps them in order.
 */
export function timeOrderedId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // More than 4,096 ids in one millisecond: borrow the next one, so order still holds.
    lastMs++;
    sequence = 0;
  }
  if (poolNext === POOL_IDS) {
    getRandomValues(pool);
    poolNext = 0;
  }
  const r = pool.subarray(RANDOM_BYTES * poolNext, RANDOM_BYTES * poolNext + RANDOM_BYTES);
  poolNext++;
  const ms = lastMs;
  const b = [
    Math.floor(ms / 2 ** 40) & 0xff, Math.floor(ms / 2 ** 32) & 0xff, (ms >>> 24) & 0xff, (ms >>> 16) & 0xff, (ms >>> 8) & 0xff, ms & 0xff,
    0x70 | (sequence >>> 8), sequence & 0xff,
    0x80 | (r[0]! & 0x3f), r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!,
  ];
  const h = b.map((x) => hex[x]!);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
