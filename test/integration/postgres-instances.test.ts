import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { GENESIS_HASH, auditHash } from '../../src/store/events-repo.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { cloneWithEscalation } from '../support/due-escalations.js';
import { activationBody } from '../support/http.js';
import { type Instances, startInstances } from '../support/instances.js';
import { createTestDatabase } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const GROUP_REQUESTS = '/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests';
const GROUP_APPROVALS = '/beta/identityGovernance/privilegedAccess/group/assignmentApprovals';
const PG_URL = process.env.SIGNOFF_TEST_PG_URL;
const demoTenant = JSON.parse(readFileSync(new URL('../../tenants/demo.json', import.meta.url), 'utf8'));

/** alice asks for an hour starting at Signoff's (movable) now. */
const activateNow = (role: string) => activationBody(role, DEMO.users.alice, { scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } } });

/**
 * Audit appends as the previous release made them: the advisory lock, then the newest event's
 * hash, then the event and its outbox row, each a statement of its own.
 */
async function appendAsPreviousRelease(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < count; i++) {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock(7304110)');
      const prev = (await client.query('select hash from audit_events order by seq desc limit 1')).rows[0]?.hash ?? GENESIS_HASH;
      const record = { id: randomUUID(), occurredAt: new Date().toISOString(), actorId: null, action: 'directory.userCreated', targetType: 'user', targetId: `old-${i}`, requestId: null, correlationId: null, clientIp: null, before: null, after: { n: i } };
      await client.query(`insert into audit_events (id, occurred_at, actor_id, action, target_type, target_id, request_id, correlation_id, client_ip, before, after, prev_hash, hash)
        values ($1, $2, null, $3, $4, $5, null, null, null, null, $6, $7, $8)`, [record.id, record.occurredAt, record.action, record.targetType, record.targetId, JSON.stringify(record.after), prev, auditHash(prev, record)]);
      await client.query('insert into outbox (id, event_type, occurred_at, request_id, payload, dispatched_at) values ($1, $2, $3, null, $4, null)',
        [randomUUID(), record.action, record.occurredAt, JSON.stringify({ type: record.action, targetId: record.targetId })]);
      await client.query('commit');
    }
  } finally {
    await client.end();
  }
}

if (!PG_URL) console.warn('postgres-instances: SIGNOFF_TEST_PG_URL is not set; the multi-instance PostgreSQL tests are skipped.');

describe.skipIf(!PG_URL)('three Signoff instances on one PostgreSQL', () => {
  let instances: Instances;
  let db: pg.Client;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase();
    // Timers run often on every instance, so the timer race below has three real contenders.
    instances = await startInstances(3, url, { SIGNOFF_TIMER_INTERVAL_MS: '100', SIGNOFF_DB_POOL_SIZE: '10' });
    db = new pg.Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await instances?.stop();
  });

  const count = async (query: string, params: unknown[] = []) => Number((await db.query(query, params)).rows[0].n);

  it('migrates once and seeds the demo tenant once when started together on an empty database', async () => {
    const migrations = (await db.query('select name from kysely_migration')).rows.map((r) => r.name);
    expect(migrations.length).toBeGreaterThan(0);
    expect(new Set(migrations).size).toBe(migrations.length);
    expect(await count('select count(*) as n from users')).toBe(demoTenant.users.length);
    // Eligibilities get fresh ids at seed time, so a second seeding would show as duplicates.
    expect(await count('select count(*) as n from eligibilities')).toBe(demoTenant.eligibilities.length);
    expect(await count(`select count(*) as n from meta where key = 'tenant'`)).toBe(1);
    const seededBy = instances.servers.filter((s) => s.output().includes('demo tenant seeded'));
    expect(seededBy).toHaveLength(1);
  });

  it('keeps one unbroken audit chain and an outbox in commit order while three instances append at once', async () => {
    const before = await count('select count(*) as n from audit_events');
    const [created] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, (_, i) => instances.at(i).post('/v1.0/users', {
        userPrincipalName: `chain-${i}@contoso.com`, displayName: `Chain ${i}`,
      }, 'admin'))),
      // Meanwhile an instance of the previous release appends as it did, during a rolling upgrade.
      appendAsPreviousRelease(url, 20),
    ]);
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
    expect(await count('select count(*) as n from audit_events')).toBe(before + 80);
    // Every event links to the one before it, whichever instance wrote it.
    const verify = await instances.at(1).get('/signoff/v1/audit/verify', 'admin');
    expect(verify.body).toMatchObject({ valid: true, firstBrokenLink: null });
    expect(await count('select count(*) as n from audit_events a join audit_events b on b.seq = (select min(seq) from audit_events where seq > a.seq) where b.prev_hash <> a.hash')).toBe(0);
    // Outbox rows are numbered in the order their transactions took the chain, so the fan-out cursor never passes a late commit.
    const audited = (await db.query(`select target_id from audit_events where action = 'directory.userCreated' order by seq`)).rows.map((r) => r.target_id);
    const queued = (await db.query(`select payload::json->>'targetId' as target_id from outbox where event_type = 'directory.userCreated' order by seq`)).rows.map((r) => r.target_id);
    expect(audited.filter((id) => !id.startsWith('old-'))).toHaveLength(60);
    expect(audited.filter((id) => id.startsWith('old-'))).toHaveLength(20);
    expect(queued).toEqual(audited);
  });

  it('lets exactly one of 100 concurrent decisions on one step win, 20 times over', async () => {
    const api = instances.at(0);
    for (let round = 0; round < 20; round++) {
      const created = await api.post(REQUESTS, activateNow(DEMO.roles.userAdministrator), 'alice');
      expect(created.status, created.text).toBe(201);
      const approvalId = created.body.approvalId as string;
      const steps = await instances.at(round + 1).get(`${APPROVALS}/${approvalId}/steps`, 'bob');
      const stepId = steps.body.value[0].id as string;

      const decisions = Array.from({ length: 100 }, (_, i) => (i % 2 === round % 2 ? 'Approve' : 'Deny'));
      const responses = await Promise.all(decisions.map((reviewResult, i) => instances.at(i).patch(
        `${APPROVALS}/${approvalId}/steps/${stepId}`, { reviewResult, justification: `decision ${i}` }, 'bob')));

      const winners = responses.flatMap((res, i) => (res.status === 204 ? [i] : []));
      expect(winners, `round ${round}: ${responses.map((r) => r.status).join(',')}`).toHaveLength(1);
      const conflict = GRAPH_ERRORS.STEP_ALREADY_DECIDED;
      for (const res of responses.filter((r) => r.status !== 204)) {
        expect(res.status, res.text).toBe(conflict.status);
        expect(res.body.error.code).toBe(conflict.code);
        expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
      }
      const winner = winners[0]!;
      const stored = await instances.at(round + 2).get(`${APPROVALS}/${approvalId}/steps/${stepId}`, 'bob');
      expect(stored.body.reviewResult).toBe(decisions[winner] === 'Approve' ? 'Approved' : 'Denied');
      expect(stored.body.justification).toBe(`decision ${winner}`);
      expect(await count(`select count(*) as n from audit_events where action = 'stage.decided' and request_id = $1`, [approvalId])).toBe(1);

      // An approval grants alice the role for an hour; ending it lets the next round ask again.
      if (decisions[winner] === 'Approve') expect((await api.post('/dev/clock', { advance: 'PT2H' })).status).toBe(200);
    }
  }, 180_000);

  it('applies each of 1,000 due escalations exactly once while three instances run timers', async () => {
    const api = instances.at(0);
    const template = await api.post(REQUESTS, activateNow(DEMO.roles.securityAdministrator), 'alice');
    expect(template.status, template.text).toBe(201);
    const now = Date.parse((await api.get('/dev/clock')).body.now);
    const ids = await cloneWithEscalation(db, template.body.id, 1000, new Date(now + 3_600_000).toISOString());
    const [stage] = (await db.query('select version from approval_stages where approval_id = $1 and stage_index = 0', [template.body.id])).rows;

    // One instance moves the shared clock and runs its timers; the other two follow the clock on their own loops.
    expect((await api.post('/dev/clock', { advance: 'PT2H' })).status).toBe(200);
    const escalated = () => count(`select count(*) as n from audit_events where action = 'stage.escalated' and request_id = any($1)`, [ids]);
    // The other instances may still be committing the items they claimed last.
    for (let i = 0; i < 50 && (await escalated()) < ids.length; i++) await new Promise((r) => setTimeout(r, 100));

    expect(await escalated()).toBe(ids.length);
    expect(await count(`select count(distinct request_id) as n from audit_events where action = 'stage.escalated' and request_id = any($1)`, [ids])).toBe(ids.length);
    expect(await count(`select count(*) as n from outbox where event_type = 'stage.escalated' and request_id = any($1)`, [ids])).toBe(ids.length);
    const states = (await db.query(`select status, version, count(*) as n from approval_stages where approval_id = any($1) group by status, version`, [ids])).rows
      .map((r) => ({ status: r.status, version: Number(r.version), n: Number(r.n) }));
    expect(states).toEqual([{ status: 'Escalated', version: stage.version + 1, n: ids.length }]);
  }, 180_000);
  it('grants one assignment when administrators assign the same role to the same principal on three instances at once', async () => {
    const api = instances.at(0);
    for (let round = 0; round < 10; round++) {
      const user = await api.post('/v1.0/users', { userPrincipalName: `assignee-${round}@contoso.com`, displayName: `Assignee ${round}` }, 'admin');
      expect(user.status, user.text).toBe(201);
      const body = {
        action: 'adminAssign', principalId: user.body.id, roleDefinitionId: DEMO.roles.userAdministrator, directoryScopeId: '/', justification: `round ${round}`,
        scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
      };
      const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => instances.at(i).post(REQUESTS, body, 'admin')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201), `round ${round}: ${statuses.join(',')}`).toHaveLength(1);
      const exists = GRAPH_ERRORS.ASSIGNMENT_EXISTS;
      for (const res of responses.filter((r) => r.status !== 201)) {
        expect(res.status, res.text).toBe(exists.status);
        expect(res.body.error.code).toBe(exists.code);
      }
      expect(await count(`select count(*) as n from assignments where principal_id = $1 and status = 'Active'`, [user.body.id])).toBe(1);
      expect(await count(`select count(*) as n from audit_events where action = 'assignment.started' and after::json->>'principalId' = $1`, [user.body.id])).toBe(1);
    }
  }, 120_000);

  it('records every approval of a k-of-n stage when all its approvers decide at once on three instances', async () => {
    const api = instances.at(0);
    const APPROVERS = 10;
    const REQUIRED = 8;
    const group = await api.post('/v1.0/groups', { displayName: 'Quorum approvers' }, 'admin');
    expect(group.status, group.text).toBe(201);
    const approvers: string[] = [];
    for (let i = 0; i < APPROVERS; i++) {
      const upn = `quorum-${i}@contoso.com`;
      const user = await api.post('/v1.0/users', { userPrincipalName: upn, displayName: `Quorum ${i}` }, 'admin');
      expect(user.status, user.text).toBe(201);
      const added = await api.post(`/v1.0/groups/${group.body.id}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.body.id}` }, 'admin');
      expect(added.status, added.text).toBe(204);
      approvers.push(upn);
    }
    const policies = await api.get('/signoff/v1/policies', 'admin');
    const policy = policies.body.value.find((p: { resourceId: string }) => p.resourceId === DEMO.groups.prodOps);
    const patched = await api.patch(`/signoff/v1/policies/${policy.id}`, {
      approval: { mode: 'SingleStage', stages: [{ primaryApprovers: [{ type: 'groupMembers', groupId: group.body.id }], approvalsRequired: REQUIRED }] },
    }, 'admin');
    expect(patched.status, patched.text).toBe(200);
    const membership = (action: string) => ({
      accessId: 'member', principalId: DEMO.users.alice, groupId: DEMO.groups.prodOps, action, justification: 'On call',
      scheduleInfo: { startDateTime: null, expiration: { type: 'afterDuration', duration: 'PT1H' } },
    });

    for (let round = 0; round < 3; round++) {
      const created = await api.post(GROUP_REQUESTS, membership('selfActivate'), 'alice');
      expect(created.status, created.text).toBe(201);
      const steps = await instances.at(1).get(`${GROUP_APPROVALS}/${created.body.approvalId}/steps`, 'alice');
      const stepId = steps.body.value[0].id as string;
      const responses = await Promise.all(approvers.map((upn, i) => instances.at(i).patch(
        `${GROUP_APPROVALS}/${created.body.approvalId}/steps/${stepId}`, { reviewResult: 'Approve', justification: `approver ${i}` }, upn)));
      const statuses = responses.map((r) => r.status);
      // The first REQUIRED approvals complete the stage; the rest find it decided.
      expect(statuses.filter((s) => s === 204), `round ${round}: ${statuses.join(',')}`).toHaveLength(REQUIRED);
      expect(statuses.filter((s) => s === GRAPH_ERRORS.STEP_ALREADY_DECIDED.status)).toHaveLength(APPROVERS - REQUIRED);
      expect(await count(`select count(*) as n from audit_events where action = 'stage.decided' and request_id = $1`, [created.body.id])).toBe(REQUIRED);
      const stored = await instances.at(2).get(`${GROUP_REQUESTS}/${created.body.id}`, 'alice');
      expect(stored.body.status).toBe('Provisioned');
      const ended = await api.post(GROUP_REQUESTS, membership('selfDeactivate'), 'alice');
      expect(ended.status, ended.text).toBe(201);
    }
  }, 120_000);
});
