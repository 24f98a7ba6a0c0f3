import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { type Api, type ApiResponse, activationBody } from '../support/http.js';
import { type Instances, startInstances } from '../support/instances.js';
import { type PgCluster, hasLocalPostgres, startPgCluster } from '../support/pg-cluster.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
const DECISIONS = 16;
const unavailable = GRAPH_ERRORS.STORE_UNAVAILABLE;

const RUNNABLE = Boolean(PG_URL) && hasLocalPostgres();
if (!RUNNABLE) console.warn('postgres-restart: needs SIGNOFF_TEST_PG_URL set and PostgreSQL installed locally (it starts and restarts a cluster of its own); skipped.');

/**
 * A client that retries what the service asks it to retry (503) and what never reached it (a
 * dropped connection), as a client behind a load balancer would. `retried` tells the caller that
 * an earlier attempt may have been applied.
 */
let failedAttempts = 0;
async function withRetry(send: () => Promise<ApiResponse>): Promise<ApiResponse & { retried: boolean }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const res = await send().catch(() => null);
    if (res && res.status !== unavailable.status) return { ...res, retried: attempt > 0 };
    failedAttempts++;
    if (res) expect(res.headers.get('retry-after')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not come back within 20 seconds');
}

describe.skipIf(!RUNNABLE)('PostgreSQL restarting while requests flow', () => {
  let cluster: PgCluster;
  let instances: Instances;
  let db: pg.Client;

  beforeAll(async () => {
    // A cluster of its own: this test stops and starts it.
    cluster = await startPgCluster();
    instances = await startInstances(2, cluster.url);
  });
  afterAll(async () => {
    await db?.end().catch(() => {});
    await instances?.stop();
    cluster?.destroy();
  });

  /** alice asks for User Administrator; returns the approval id. */
  async function submit(api: Api): Promise<string> {
    const body = activationBody(DEMO.roles.userAdministrator, DEMO.users.alice, { scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } } });
    const created = await withRetry(() => api.post(REQUESTS, body, 'alice'));
    if (created.status === 201) return created.body.approvalId;
    // A retry that meets its own earlier attempt, committed before the connection dropped: carry on with that one.
    expect(created.retried, created.text).toBe(true);
    expect(created.body.error.code).toBe(GRAPH_ERRORS.PENDING_REQUEST_EXISTS.code);
    const mine = await withRetry(() => api.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice'));
    return mine.body.value.find((r: any) => r.status === 'PendingApproval').approvalId;
  }

  /** alice asks, bob denies with a justification that names the round; returns the approval id. */
  async function decideOne(round: number): Promise<string> {
    const api = instances.at(round);
    const approvalId = await submit(api);
    const steps = await withRetry(() => api.get(`${APPROVALS}/${approvalId}/steps`, 'bob'));
    const stepId = steps.body.value[0].id as string;
    const decided = await withRetry(() => api.patch(`${APPROVALS}/${approvalId}/steps/${stepId}`, { reviewResult: 'Deny', justification: `round ${round}` }, 'bob'));
    // A 409 after a retry means the earlier attempt won; the checks below prove it was ours.
    if (!(decided.retried && decided.status === GRAPH_ERRORS.STEP_ALREADY_DECIDED.status)) expect(decided.status, decided.text).toBe(204);
    return approvalId;
  }

  it('answers 503 with Retry-After during the outage, recovers without a restart, and loses or repeats no decision', async () => {
    for (const api of instances.apis) {
      await api.token('alice');
      await api.token('bob');
    }
    const decided: string[] = [];
    const flow = (async () => {
      for (let round = 0; round < DECISIONS; round++) decided.push(await decideOne(round));
    })();
    for (let i = 0; i < 200 && decided.length < DECISIONS / 4; i++) await new Promise((r) => setTimeout(r, 50));

    cluster.stop();
    for (const [i, api] of instances.apis.entries()) {
      expect(instances.servers[i]!.process.exitCode, instances.servers[i]!.output()).toBeNull();
      const res = await api.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice');
      expect(res.status, res.text).toBe(unavailable.status);
      expect(res.body.error.code).toBe(unavailable.code);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect((await api.call('GET', '/healthz')).status).toBe(503);
    }
    cluster.start();
    await flow;
    // The flow kept sending through the outage.
    expect(failedAttempts).toBeGreaterThan(0);

    // The same processes serve again: none exited and had to be started anew.
    for (const [i, api] of instances.apis.entries()) {
      expect(instances.servers[i]!.process.exitCode, instances.servers[i]!.output()).toBeNull();
      expect((await api.call('GET', '/healthz')).status).toBe(200);
    }
    db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    expect(new Set(decided).size).toBe(DECISIONS);
    const events = (await db.query(`select request_id, count(*)::int as n from audit_events where action = 'stage.decided' group by request_id`)).rows;
    expect(events).toHaveLength(DECISIONS);
    expect(events.every((e) => e.n === 1)).toBe(true);
    for (const [round, approvalId] of decided.entries()) {
      const [stage] = (await db.query('select review_result, justification from approval_stages where approval_id = $1', [approvalId])).rows;
      expect(stage).toEqual({ review_result: 'Deny', justification: `round ${round}` });
    }
  }, 120_000);
});
