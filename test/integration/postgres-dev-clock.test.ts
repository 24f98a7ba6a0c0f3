import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
const DAY_MS = 24 * 60 * 60_000;
if (!PG_URL) console.warn('postgres-dev-clock: SIGNOFF_TEST_PG_URL is not set; the shared dev clock tests are skipped.');

describe.skipIf(!PG_URL)('the dev clock of two instances on one PostgreSQL', () => {
  // Timers run only when asked here, so nothing but the request itself can bring the clock along.
  const first = useTestServer({ store: 'postgres' });
  const second = useTestServer(() => ({ databaseUrl: first.server.databaseUrl! }));

  it('is the clock the other instance moved, on the very next request', async () => {
    const moved = await first.api.post('/dev/clock', { advance: 'P3D' });
    expect(moved.status, moved.text).toBe(200);
    const movedTo = Date.parse(moved.body.now);

    const read = await second.api.get('/dev/clock');
    expect(Date.parse(read.body.now)).toBeGreaterThanOrEqual(movedTo);

    // A request made there starts, and its stage's deadline runs, from the moved clock.
    const created = await second.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, DEMO.users.alice, {
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    }), 'alice');
    expect(created.status, created.text).toBe(201);
    expect(Date.parse(created.body.createdDateTime)).toBeGreaterThanOrEqual(movedTo);
    const steps = await first.api.get(`/beta/roleManagement/directory/roleAssignmentApprovals/${created.body.approvalId}/steps`, 'bob');
    expect(Date.parse(steps.body.value[0]['@signoff.expirationDateTime'])).toBeGreaterThanOrEqual(movedTo + DAY_MS);
  });
});
