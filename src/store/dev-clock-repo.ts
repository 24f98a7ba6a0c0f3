import type { Db } from './store.js';

/** The dev clock's offset lives in the store, so instances sharing it share one clock and a restart keeps it. */
const CLOCK_META_KEY = 'dev_clock_offset_ms';

/**
 * The stored offset in milliseconds, 0 when the clock was never moved. It is returned unchecked:
 * a store written by an older Signoff may hold one no clock can use, and the clock decides.
 */
export async function readClockOffset(db: Db): Promise<number> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', CLOCK_META_KEY).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

export async function saveClockOffset(tx: Db, offsetMs: number): Promise<void> {
  const value = String(offsetMs);
  await tx.insertInto('meta').values({ key: CLOCK_META_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
