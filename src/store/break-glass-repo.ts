import type { BreakGlassSettings } from '../domain/break-glass.js';
import type { Instant } from '../domain/time.js';
import type { Db } from './store.js';

export async function getBreakGlassSettings(db: Db, policyId: string): Promise<BreakGlassSettings | null> {
  const row = await db.selectFrom('break_glass_settings').select('settings').where('policy_id', '=', policyId).executeTakeFirst();
  return row ? JSON.parse(row.settings) : null;
}

export async function saveBreakGlassSettings(db: Db, policyId: string, settings: BreakGlassSettings, now: Instant, by: string | null): Promise<void> {
  const values = { settings: JSON.stringify(settings), updated_at: now, updated_by: by };
  await db.insertInto('break_glass_settings').values({ policy_id: policyId, ...values })
    .onConflict((oc) => oc.column('policy_id').doUpdateSet(values)).execute();
}
