import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueApproval } from '../../src/store/approvals-repo.js';
import { DEMO } from '../support/demo.js';
import { cloneWithEscalation } from '../support/due-escalations.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
if (!PG_URL) console.warn('postgres-timer-claims: SIGNOFF_TEST_PG_URL is not set; the PostgreSQL claim tests are skipped.');

describe.skipIf(!PG_URL)('claiming due timer work on PostgreSQL', () => {
  const signoff = useTestServer({ store: 'postgres' });
  let db: pg.Client;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: signoff.server.databaseUrl! });
    await db.connect();
  });
  afterAll(async () => db?.end());

  it('hands concurrent claimers different items, and none while every due item is held', async () => {
    const { api } = signoff;
    const template = await api.post('/beta/roleManagement/directory/roleAssignmentScheduleRequests', activationBody(DEMO.roles.securityAdministrator, DEMO.users.alice), 'alice');
    expect(template.status, template.text).toBe(201);
    const due = await cloneWithEscalation(db, template.body.id, 2, new Date(Date.now() - 60_000).toISOString());
    const { db: kysely, dialect } = signoff.server.running.services.store;
    const now = signoff.server.clock.now();

    const first = await kysely.startTransaction().execute();
    const second = await kysely.startTransaction().execute();
    try {
      const a = await claimDueApproval(first, dialect, now, []);
      const b = await claimDueApproval(second, dialect, now, []);
      expect([a?.id, b?.id].sort()).toEqual([...due].sort());
      // Both due items are held: a third claimer neither waits nor gets one of them.
      const third = await kysely.transaction().execute((tx) => claimDueApproval(tx, dialect, now, []));
      expect(third).toBeNull();
    } finally {
      await first.rollback().execute();
      await second.rollback().execute();
    }
    // Released by the rollbacks: claimable again, except what a claimer has already passed over.
    const again = await kysely.transaction().execute((tx) => claimDueApproval(tx, dialect, now, [due[0]!]));
    expect(again?.id).toBe(due[1]);
  });
});
