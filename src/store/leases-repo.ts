import type { Db } from './store.js';

/** Takes (or renews) the lease `name` for `holder` until `untilMs` if it is free, expired or already the holder's. */
export async function acquireLease(db: Db, name: string, holder: string, nowMs: number, untilMs: number): Promise<boolean> {
  await db.insertInto('leases').values({ name, holder: '', until: '' }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const result = await db.updateTable('leases').set({ holder, until: new Date(untilMs).toISOString() })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', '=', holder), eb('until', '<=', new Date(nowMs).toISOString())]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.updateTable('leases').set({ until: '' }).where('name', '=', name).where('holder', '=', holder).execute();
}
