import type pg from 'pg';
import { DEMO } from './demo.js';

/**
 * Copies a real pending approval `count` times, straight into PostgreSQL, each with an escalation
 * due at `escalateAt` to carol. Each copy targets its own resource so none counts as a second open
 * request. Returns the copies' approval (= request) ids.
 */
export async function cloneWithEscalation(db: pg.Client, templateId: string, count: number, escalateAt: string): Promise<string[]> {
  const [request] = (await db.query('select * from requests where id = $1', [templateId])).rows;
  const [stage] = (await db.query('select * from approval_stages where approval_id = $1 and stage_index = 0', [templateId])).rows;
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  const requests = ids.map((id) => ({ ...request, id, approval_id: id, resource_id: crypto.randomUUID() }));
  const stages = ids.map((id) => ({
    ...stage, id: crypto.randomUUID(), approval_id: id, escalate_at: escalateAt, escalation_approver_ids: JSON.stringify([DEMO.users.carol]),
  }));
  await db.query('insert into requests select * from json_populate_recordset(null::requests, $1::json)', [JSON.stringify(requests)]);
  await db.query('insert into approval_stages select * from json_populate_recordset(null::approval_stages, $1::json)', [JSON.stringify(stages)]);
  return ids;
}
