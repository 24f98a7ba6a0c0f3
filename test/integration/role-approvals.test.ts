import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { Api, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer, testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const { alice, bob } = DEMO.users;

describe.each(testStores())('PIM for Entra roles through Graph (%s store)', (store) => {
  const signoff = useTestServer({ store });

  async function activate(role: string = DEMO.roles.userAdministrator, overrides: Record<string, unknown> = {}) {
    const res = await signoff.api.post(REQUESTS, activationBody(role, alice, overrides), 'alice');
    expect(res.status, res.text).toBe(201);
    return res.body;
  }
  async function stepsOf(approvalId: string, as = 'bob') {
    const res = await signoff.api.get(`${APPROVALS}/${approvalId}/steps`, as);
    expect(res.status, res.text).toBe(200);
    return res.body.value as any[];
  }
  const decide = (approvalId: string, stepId: string, as: string, body: object) => signoff.api.patch(`${APPROVALS}/${approvalId}/steps/${stepId}`, body, as);

  it('issues dev tokens and resolves the caller with /me and users by UPN', async () => {
    const token = await signoff.api.call('POST', '/dev/token', { body: { username: 'alice@contoso.com' } });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const me = await signoff.api.call('GET', '/v1.0/me', { token: token.body.access_token });
    expect(me.body).toMatchObject({ id: alice, userPrincipalName: 'alice@contoso.com' });
    const bobRes = await signoff.api.get('/v1.0/users/bob@contoso.com', 'alice');
    expect(bobRes.body.id).toBe(bob);
    const members = await signoff.api.get(`/v1.0/groups/${DEMO.groups.approvers}/members`, 'alice');
    expect(members.body.value.map((u: any) => u.userPrincipalName).sort()).toEqual(['bob@contoso.com', 'carol@contoso.com']);
  });

  it('runs the whole single-stage flow: request, read, approve, grant, then 409 on a second decision', async () => {
    const created = await activate();
    expect(created).toMatchObject({ status: 'PendingApproval', action: 'selfActivate', principalId: alice, roleDefinitionId: DEMO.roles.userAdministrator, directoryScopeId: '/' });
    expect(created.approvalId).toBe(created.id);
    expect(created.createdDateTime).toMatch(/Z$/);
    expect(created.scheduleInfo.expiration).toMatchObject({ type: 'afterDuration', duration: 'PT1H' });
    expect(created.ticketInfo).toEqual({ ticketNumber: 'INC-1234', ticketSystem: 'ServiceNow' });

    const readBack = await signoff.api.get(`${REQUESTS}/${created.id}`, 'alice');
    expect(readBack.body.status).toBe('PendingApproval');
    const mine = await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice');
    expect(mine.body.value.map((r: any) => r.id)).toContain(created.id);
    const bobsOwn = await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'bob');
    expect(bobsOwn.body.value.map((r: any) => r.id)).not.toContain(created.id);
    const toApprove = await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'bob');
    expect(toApprove.body.value.map((r: any) => r.id)).toContain(created.id);

    const approval = await signoff.api.get(`${APPROVALS}/${created.approvalId}`, 'bob');
    expect(approval.status).toBe(200);
    expect(approval.body.id).toBe(created.id);
    expect(approval.body.steps).toHaveLength(1);
    const [step] = await stepsOf(created.approvalId);
    expect(step).toMatchObject({ assignedToMe: true, status: 'InProgress', reviewResult: 'NotReviewed', justification: '', reviewedBy: null, reviewedDateTime: null });
    const single = await signoff.api.get(`${APPROVALS}/${created.approvalId}/steps/${step.id}`, 'bob');
    expect(single.body).toMatchObject({ id: step.id, assignedToMe: true });
    const asAlice = await signoff.api.get(`${APPROVALS}/${created.approvalId}/steps/${step.id}`, 'alice');
    expect(asAlice.body.assignedToMe).toBe(false);

    const approved = await decide(created.approvalId, step.id, 'bob', { reviewResult: 'Approve', justification: 'Ticket checked' });
    expect(approved.status).toBe(204);
    expect(approved.text).toBe('');

    const after = await signoff.api.get(`${APPROVALS}/${created.approvalId}/steps/${step.id}`, 'bob');
    expect(after.body).toMatchObject({ reviewResult: 'Approved', status: 'Completed', justification: 'Ticket checked', assignedToMe: false });
    expect(after.body.reviewedBy).toEqual([{ id: bob, displayName: 'Bob Approver', userPrincipalName: 'bob@contoso.com' }]);
    expect(Date.parse(after.body.reviewedDateTime)).not.toBeNaN();

    const granted = await signoff.api.get(`${REQUESTS}/${created.id}`, 'alice');
    expect(granted.body.status).toBe('Provisioned');
    expect(granted.body.completedDateTime).not.toBeNull();
    const instances = await signoff.api.get('/beta/roleManagement/directory/roleAssignmentScheduleInstances', 'alice');
    expect(instances.body.value).toEqual(expect.arrayContaining([expect.objectContaining({ principalId: alice, roleDefinitionId: DEMO.roles.userAdministrator, assignmentType: 'Activated', endDateTime: created.scheduleInfo ? expect.any(String) : null })]));

    expectGraphError(await decide(created.approvalId, step.id, 'bob', { reviewResult: 'Approve', justification: 'again' }), 'STEP_ALREADY_DECIDED');
    expectGraphError(await decide(created.approvalId, step.id, 'bob', { reviewResult: 'Deny', justification: 'changed my mind' }), 'STEP_ALREADY_DECIDED');

    // Step 6: the role is now active, so a second activation is refused as Entra does.
    expectGraphError(await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice'), 'ASSIGNMENT_EXISTS');
  });

  it('refuses a second activation while one is pending', async () => {
    const created = await activate(DEMO.roles.securityAdministrator);
    const again = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expectGraphError(again, 'PENDING_REQUEST_EXISTS');
    const cancel = await signoff.api.post(`${REQUESTS}/${created.id}/cancel`, undefined, 'alice');
    expect(cancel.status).toBe(204);
    expect((await signoff.api.get(`${REQUESTS}/${created.id}`, 'alice')).body.status).toBe('Canceled');
    expectGraphError(await signoff.api.post(`${REQUESTS}/${created.id}/cancel`, undefined, 'alice'), 'NOT_CANCELABLE');
    // Nobody decided the step the cancel closed: a late decision hears the request was canceled.
    const [step] = await stepsOf(created.approvalId);
    expect(step).toMatchObject({ status: 'Completed', reviewResult: 'NotReviewed', reviewedBy: null });
    const late = await decide(created.approvalId, step.id, 'bob', { reviewResult: 'Approve', justification: 'late' });
    expectGraphError(late, 'REQUEST_CANCELED');
    expect(late.body.error.message).toMatch(/request was canceled/);
  });

  it('runs two serial stages: bob then carol; stage 2 is Initializing until stage 1 is approved', async () => {
    const created = await activate(DEMO.roles.securityAdministrator);
    let steps = await stepsOf(created.approvalId);
    expect(steps.map((s) => s.status)).toEqual(['InProgress', 'Initializing']);
    expect(steps.map((s) => s.assignedToMe)).toEqual([true, false]);
    expectGraphError(await decide(created.approvalId, steps[1].id, 'carol', { reviewResult: 'Approve', justification: 'early' }), 'STAGE_NOT_CURRENT');
    expectGraphError(await decide(created.approvalId, steps[0].id, 'carol', { reviewResult: 'Approve', justification: 'not mine' }), 'NOT_AN_APPROVER');

    expect((await decide(created.approvalId, steps[0].id, 'bob', { reviewResult: 'Approve', justification: 'stage 1 ok' })).status).toBe(204);
    steps = await stepsOf(created.approvalId, 'carol');
    expect(steps.map((s) => [s.status, s.reviewResult, s.assignedToMe])).toEqual([['Completed', 'Approved', false], ['InProgress', 'NotReviewed', true]]);
    expect((await signoff.api.get(`${REQUESTS}/${created.id}`, 'alice')).body.status).toBe('PendingApproval');

    expect((await decide(created.approvalId, steps[1].id, 'carol', { reviewResult: 'Approve', justification: 'stage 2 ok' })).status).toBe(204);
    expect((await signoff.api.get(`${REQUESTS}/${created.id}`, 'alice')).body.status).toBe('Provisioned');
  });

  it('a Deny at stage 2 ends the request as Denied', async () => {
    // Security Administrator is active from the previous test on a shared server; use a fresh server for isolation.
    const fresh = await startTestServer({ store });
    try {
      const a = new Api(fresh.url);
      const created = (await a.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice')).body;
      const steps = (await a.get(`${APPROVALS}/${created.approvalId}/steps`, 'bob')).body.value;
      expect((await a.patch(`${APPROVALS}/${created.approvalId}/steps/${steps[0].id}`, { reviewResult: 'Approve', justification: 'ok' }, 'bob')).status).toBe(204);
      expect((await a.patch(`${APPROVALS}/${created.approvalId}/steps/${steps[1].id}`, { reviewResult: 'Deny', justification: 'not now' }, 'carol')).status).toBe(204);
      const req = (await a.get(`${REQUESTS}/${created.id}`, 'alice')).body;
      expect(req.status).toBe('Denied');
      const after = (await a.get(`${APPROVALS}/${created.approvalId}/steps`, 'carol')).body.value;
      expect(after[1]).toMatchObject({ reviewResult: 'Denied', status: 'Completed', justification: 'not now' });
      const active = (await a.get('/beta/roleManagement/directory/roleAssignmentScheduleInstances', 'alice')).body.value;
      expect(active.filter((i: any) => i.roleDefinitionId === DEMO.roles.securityAdministrator)).toEqual([]);
    } finally {
      await fresh.destroy();
    }
  });

  it('answers 400 / 401 / 403 / 404 in Graph format on a pending approval, and leaves it pending', async () => {
    const fresh = await startTestServer({ store });
    try {
      const a = new Api(fresh.url);
      const created = (await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice')).body;
      const [step] = (await a.get(`${APPROVALS}/${created.approvalId}/steps`, 'bob')).body.value;
      const path = `${APPROVALS}/${created.approvalId}/steps/${step.id}`;
      const ok = { reviewResult: 'Approve', justification: 'fine' };

      expectGraphError(await a.patch(path, ok, 'dave'), 'NOT_AN_APPROVER');
      expectGraphError(await a.patch(path, ok, 'alice'), 'SELF_APPROVAL');
      expectGraphError(await a.patch(`${APPROVALS}/00000000-0000-0000-0000-00000000dead/steps/${step.id}`, ok, 'bob'), 'APPROVAL_NOT_FOUND');
      expectGraphError(await a.patch(`${APPROVALS}/${created.approvalId}/steps/00000000-0000-0000-0000-00000000beef`, ok, 'bob'), 'STEP_NOT_FOUND');
      expectGraphError(await a.patch(path, { justification: 'no verdict' }, 'bob'), 'INVALID_DECISION');
      expectGraphError(await a.patch(path, { reviewResult: 'Maybe', justification: 'x' }, 'bob'), 'INVALID_DECISION');
      expectGraphError(await a.patch(path, { reviewResult: 'Approve' }, 'bob'), 'JUSTIFICATION_REQUIRED');
      expectGraphError(await a.patch(path, { reviewResult: 'Approve', justification: '   ' }, 'bob'), 'JUSTIFICATION_REQUIRED');
      expectGraphError(await a.patch(path, { reviewResult: 'Approve', justification: 'x', extra: 1 }, 'bob'), 'BAD_REQUEST');
      expectGraphError(await a.call('PATCH', path, { as: 'bob', rawBody: '{"reviewResult":', headers: { 'content-type': 'application/json' } }), 'BAD_REQUEST');
      expectGraphError(await a.call('PATCH', path, { token: null, body: ok }), 'UNAUTHENTICATED');
      expectGraphError(await a.call('PATCH', path, { token: 'not.a.jwt', body: ok }), 'UNAUTHENTICATED');
      const bobToken = await a.token('bob');
      const [h, p] = bobToken.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), oid: DEMO.users.carol })).toString('base64url')}.${bobToken.split('.')[2]}`;
      const tamperedRes = await a.call('PATCH', path, { token: tampered, body: ok });
      expectGraphError(tamperedRes, 'UNAUTHENTICATED');
      expect(tamperedRes.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
      expectGraphError(await a.call('PATCH', path, { token: unsigned, body: ok }), 'UNAUTHENTICATED');
      expectGraphError(await a.get(`${APPROVALS}/${created.approvalId}`, 'dave'), 'ACCESS_DENIED');

      const still = (await a.get(path, 'bob')).body;
      expect(still).toMatchObject({ reviewResult: 'NotReviewed', status: 'InProgress', assignedToMe: true });
      expect((await a.get(`${REQUESTS}/${created.id}`, 'alice')).body.status).toBe('PendingApproval');
    } finally {
      await fresh.destroy();
    }
  });

  it('refuses invalid activations with Graph policy errors', async () => {
    const fresh = await startTestServer({ store });
    try {
      const a = new Api(fresh.url);
      const noJustification = await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice, { justification: '' }), 'alice');
      expectGraphError(noJustification, 'POLICY_VALIDATION_FAILED');
      expect(noJustification.body.error.message).toContain('JustificationRule');
      const tooLong = await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice, { scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT12H' } } }), 'alice');
      expect(tooLong.body.error.message).toContain('ExpirationRule');
      expectGraphError(await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, DEMO.users.dave), 'dave'), 'NOT_ELIGIBLE');
      expectGraphError(await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'bob'), 'NOT_OWN_REQUEST');
      expectGraphError(await a.post(REQUESTS, activationBody('11111111-1111-1111-1111-111111111111', alice), 'alice'), 'TARGET_NOT_FOUND');
      expectGraphError(await a.post(REQUESTS, { ...activationBody(DEMO.roles.userAdministrator, alice), action: 'teleport' }, 'alice'), 'BAD_REQUEST');
      expectGraphError(await a.post(REQUESTS, { action: 'selfActivate' }, 'alice'), 'BAD_REQUEST');
      const validationOnly = await a.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice, { isValidationOnly: true }), 'alice');
      expect(validationOnly.status).toBe(201);
      expect(validationOnly.body.isValidationOnly).toBe(true);
      expect((await a.get(`${REQUESTS}/${validationOnly.body.id}`, 'alice')).status).toBe(404);
      expect((await a.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice')).body.value).toEqual([]);
    } finally {
      await fresh.destroy();
    }
  });

  it('echoes client-request-id and sets request-id on every response', async () => {
    const res = await signoff.api.call('GET', '/v1.0/me', { as: 'alice', headers: { 'client-request-id': 'c0ffee00-1234-4321-aaaa-000000000001' } });
    expect(res.headers.get('client-request-id')).toBe('c0ffee00-1234-4321-aaaa-000000000001');
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await signoff.api.get('/beta/roleManagement/directory/nothingHere', 'alice');
    expectGraphError(missing, 'UNKNOWN_ROUTE');
  });

  it('keeps every decision across a restart', async () => {
    // A fixed issuer, as a real deployment has: tokens must outlive the process that issued them.
    const env = { SIGNOFF_PUBLIC_URL: 'http://signoff.restart.test' };
    const first = await startTestServer({ store, env });
    const dataDir = first.dataDir;
    const databaseUrl = first.databaseUrl ?? undefined;
    const a = new Api(first.url);
    const created = (await a.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice')).body;
    const steps = (await a.get(`${APPROVALS}/${created.approvalId}/steps`, 'bob')).body.value;
    expect((await a.patch(`${APPROVALS}/${created.approvalId}/steps/${steps[0].id}`, { reviewResult: 'Approve', justification: 'before restart' }, 'bob')).status).toBe(204);
    const oldToken = await a.token('carol');
    await first.close();

    const second = await startTestServer({ store, env, dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    try {
      const b = new Api(second.url);
      // Tokens from before the restart stay valid: the signing key lives in the store.
      const after = await b.call('GET', `${APPROVALS}/${created.approvalId}/steps`, { token: oldToken });
      expect(after.status).toBe(200);
      expect(after.body.value.map((s: any) => [s.status, s.reviewResult, s.justification])).toEqual([['Completed', 'Approved', 'before restart'], ['InProgress', 'NotReviewed', '']]);
      expect((await b.patch(`${APPROVALS}/${created.approvalId}/steps/${steps[1].id}`, { reviewResult: 'Approve', justification: 'after restart' }, 'carol')).status).toBe(204);
      expect((await b.get(`${REQUESTS}/${created.id}`, 'alice')).body.status).toBe('Provisioned');
    } finally {
      await second.destroy();
    }
  });
});
