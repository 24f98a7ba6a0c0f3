import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyExportedAudit } from '../../src/http/graph/directory-audit-shape.js';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const AUDIT = '/signoff/v1/audit';
const { alice, bob, carol } = DEMO.users;

function expectError(res: { status: number; body: any }, code: keyof typeof GRAPH_ERRORS) {
  expect(res.status).toBe(GRAPH_ERRORS[code].status);
  expect(res.body.error.code).toBe(GRAPH_ERRORS[code].code);
}

describe.each(testStores())('audit log: query, export, verify (%s store)', (store) => {
  const signoff = useTestServer({ store });
  let granted: string;
  let denied: string;
  let startedAt: string;

  beforeAll(async () => {
    startedAt = signoff.server.clock.now();
    // Two flows: alice's User Administrator approved by bob; Security Administrator denied by bob.
    const decide = async (role: string, reviewResult: string) => {
      const created = await signoff.api.post(REQUESTS, activationBody(role, alice), 'alice');
      expect(created.status, created.text).toBe(201);
      const steps = await signoff.api.get(`${APPROVALS}/${created.body.id}/steps`, 'bob');
      const res = await signoff.api.patch(`${APPROVALS}/${created.body.id}/steps/${steps.body.value[0].id}`, { reviewResult, justification: 'checked' }, 'bob');
      expect(res.status, res.text).toBe(204);
      return created.body.id as string;
    };
    granted = await decide(DEMO.roles.userAdministrator, 'Approve');
    denied = await decide(DEMO.roles.securityAdministrator, 'Deny');
  });

  it('answers events in the directoryAudit shape with who, what, when and the chain', async () => {
    const res = await signoff.api.get(`${AUDIT}?requestId=${granted}`, 'admin');
    expect(res.status, res.text).toBe(200);
    const events = res.body.value as any[];
    expect(events.map((e) => e.action)).toEqual(['assignment.started', 'request.granted', 'stage.decided', 'stage.started', 'request.created']);
    const decided = events.find((e) => e.action === 'stage.decided');
    expect(decided).toMatchObject({
      activityDisplayName: 'Decide approval stage', category: 'RoleManagement', result: 'success', requestId: granted,
      initiatedBy: { user: { id: bob, userPrincipalName: 'bob@contoso.com', ipAddress: '127.0.0.1' } },
      before: { status: 'InProgress', reviewResult: 'NotReviewed' },
      after: { status: 'Completed', reviewResult: 'Approve', reviewedBy: bob },
    });
    expect(decided.targetResources[0]).toMatchObject({ type: 'approvalStage' });
    expect(decided.targetResources[0].modifiedProperties).toEqual(expect.arrayContaining([{ displayName: 'reviewResult', oldValue: '"NotReviewed"', newValue: '"Approve"' }]));
    expect(decided.additionalDetails).toEqual(expect.arrayContaining([{ key: 'requestId', value: granted }]));
    expect(typeof decided.correlationId).toBe('string');
    expect(decided.hash).toMatch(/^[0-9a-f]{64}$/);
    // Newest first, each linked to the one before it.
    expect(events[0].prevHash).toBe(events[1].hash);
  });

  it('filters by actor (id or UPN, or system), target, action and time range', async () => {
    const byBob = await signoff.api.get(`${AUDIT}?actor=bob@contoso.com`, 'admin');
    expect(byBob.body.value.length).toBeGreaterThan(0);
    expect(byBob.body.value.every((e: any) => e.actorId === bob)).toBe(true);
    expect((await signoff.api.get(`${AUDIT}?actor=${bob}`, 'admin')).body.value).toHaveLength(byBob.body.value.length);
    expect((await signoff.api.get(`${AUDIT}?actor=${carol}`, 'admin')).body.value).toEqual([]);

    const deniedEvents = await signoff.api.get(`${AUDIT}?action=request.denied`, 'admin');
    expect(deniedEvents.body.value.map((e: any) => e.requestId)).toEqual([denied]);
    expect(deniedEvents.body.value[0].targetResources[0]).toMatchObject({ id: denied, type: 'request' });
    const byTarget = await signoff.api.get(`${AUDIT}?target=${denied}`, 'admin');
    expect(byTarget.body.value.every((e: any) => e.targetId === denied)).toBe(true);
    expect(byTarget.body.value.map((e: any) => e.action)).toContain('request.denied');

    const now = signoff.server.clock.now();
    expect((await signoff.api.get(`${AUDIT}?from=${encodeURIComponent(now)}&action=request.created`, 'admin')).body.value.filter((e: any) => e.activityDateTime > now)).toEqual([]);
    const inRange = await signoff.api.get(`${AUDIT}?from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(now)}&action=request.created`, 'admin');
    expect(inRange.body.value.map((e: any) => e.requestId).sort()).toEqual([granted, denied].sort());
    expect((await signoff.api.get(`${AUDIT}?to=${encodeURIComponent(startedAt)}&action=request.created`, 'admin')).body.value).toEqual([]);
    expectError(await signoff.api.get(`${AUDIT}?from=yesterday`, 'admin'), 'INVALID_REQUEST');
    expectError(await signoff.api.get(`${AUDIT}?colour=red`, 'admin'), 'BAD_REQUEST');
  });

  it('pages with a keyset $skiptoken that neither skips nor repeats', async () => {
    const all = (await signoff.api.get(`${AUDIT}?$top=999`, 'admin')).body.value as any[];
    const paged: any[] = [];
    let next: string | undefined = `${AUDIT}?$top=3`;
    for (let i = 0; next && i < 50; i++) {
      const res: { status: number; text: string; body: any } = await signoff.api.get(next.replace(signoff.server.url, ''), 'admin');
      expect(res.status, res.text).toBe(200);
      expect(res.body.value.length).toBeLessThanOrEqual(3);
      paged.push(...res.body.value);
      next = res.body['@odata.nextLink'];
    }
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(all.map((e) => e.sequence)).toEqual([...all.map((e) => e.sequence)].sort((a, b) => b - a));
  });

  it("answers Graph's auditLogs/directoryAudits on beta and v1.0 with the same events", async () => {
    const ours = (await signoff.api.get(`${AUDIT}?$top=2`, 'admin')).body.value as any[];
    for (const version of ['beta', 'v1.0']) {
      const res = await signoff.api.get(`/${version}/auditLogs/directoryAudits?$top=2`, 'admin');
      expect(res.status, res.text).toBe(200);
      expect(res.body['@odata.context']).toMatch(new RegExp(`/${version}/\\$metadata#auditLogs/directoryAudits$`));
      expect(res.body.value.map((e: any) => e.id)).toEqual(ours.map((e) => e.id));
      expect(res.body['@odata.nextLink']).toMatch(/(\$|%24)skiptoken=/);
      expectError(await signoff.api.get(`/${version}/auditLogs/directoryAudits`, 'alice'), 'ACCESS_DENIED');
    }
    const filtered = await signoff.api.get(`/beta/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'Deny request'")}`, 'admin');
    expect(filtered.body.value.map((e: any) => e.requestId)).toEqual([denied]);
  });

  it('exports NDJSON in chain order, from a given instant', async () => {
    const res = await fetch(`${signoff.server.url}${AUDIT}/export`, { headers: { authorization: `Bearer ${await signoff.api.token('admin')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const all = (await signoff.api.get(`${AUDIT}?$top=999`, 'admin')).body.value as any[];
    expect(lines.map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());
    for (let i = 1; i < lines.length; i++) expect(lines[i].prevHash).toBe(lines[i - 1].hash);
    // An export verifies on its own, and an edited line is found.
    expect(verifyExportedAudit(lines)).toMatchObject({ checked: lines.length, broken: null });
    const edited = lines.map((e, i) => (i === 3 ? { ...e, actorId: carol } : e));
    expect(verifyExportedAudit(edited).broken).toMatchObject({ id: lines[3].id, reason: 'hashMismatch' });

    const since = lines[lines.length - 2].activityDateTime;
    const tail = await fetch(`${signoff.server.url}${AUDIT}/export?since=${encodeURIComponent(since)}`, { headers: { authorization: `Bearer ${await signoff.api.token('admin')}` } });
    const tailLines = (await tail.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(tailLines.every((e) => e.activityDateTime >= since)).toBe(true);
    expect(tailLines.at(-1).id).toBe(lines.at(-1).id);
    expect(verifyExportedAudit(tailLines).broken).toBeNull();
  });

  it('is for administrators only, and offers no way to change or delete an event', async () => {
    expectError(await signoff.api.get(AUDIT, 'alice'), 'ACCESS_DENIED');
    expectError(await signoff.api.get(`${AUDIT}/export`, 'bob'), 'ACCESS_DENIED');
    expectError(await signoff.api.get(`${AUDIT}/verify`, 'dave'), 'ACCESS_DENIED');
    expectError(await signoff.api.call('GET', AUDIT), 'UNAUTHENTICATED');
    const one = (await signoff.api.get(`${AUDIT}?$top=1`, 'admin')).body.value[0];
    for (const method of ['DELETE', 'PATCH', 'PUT', 'POST']) {
      const res = await signoff.api.call(method, `${AUDIT}/${one.id}`, { as: 'admin', body: method === 'DELETE' ? undefined : { action: 'x' } });
      expect(res.status).toBe(404);
    }
    expect((await signoff.api.call('DELETE', AUDIT, { as: 'admin' })).status).toBe(404);
  });

  it('verifies the whole chain', async () => {
    const ok = await signoff.api.get(`${AUDIT}/verify`, 'admin');
    expect(ok.status).toBe(200);
    const all = (await signoff.api.get(`${AUDIT}?$top=999`, 'admin')).body.value as any[];
    expect(ok.body).toEqual({ valid: true, checked: all.length, lastHash: all[0].hash, firstBrokenLink: null });
  });

  // Tampering goes around Signoff: straight to the store with SQL, as someone with database access could.
  it('reports the first broken link after rows are edited in the database', async () => {
    expect((await signoff.api.get(`${AUDIT}/verify`, 'admin')).body.valid).toBe(true);

    const target = (await signoff.api.get(`${AUDIT}?action=stage.decided&requestId=${denied}`, 'admin')).body.value[0];
    // Someone rewrites history: the deny becomes an approve, and a later event is edited too.
    await signoff.server.running.services.store.transaction(async (db) => {
      await sql`update audit_events set "after" = replace("after", 'Deny', 'Approve') where id = ${target.id}`.execute(db);
      await sql`update audit_events set actor_id = ${carol} where seq = (select max(seq) from audit_events)`.execute(db);
    });
    const broken = await signoff.api.get(`${AUDIT}/verify`, 'admin');
    expect(broken.body).toMatchObject({ valid: false, firstBrokenLink: { id: target.id, sequence: target.sequence, reason: 'hashMismatch', found: target.hash } });
    expect(broken.body.checked).toBe(target.sequence - 1);
  });
});
