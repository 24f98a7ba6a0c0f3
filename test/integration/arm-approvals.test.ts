import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Type from 'typebox';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARM_ERRORS } from '../../src/http/arm/arm-errors.js';
import { ArmApproval, ArmApprovalList, ArmErrorResponse, ArmOperationList, ArmScheduleRequest, ArmStage, ArmStageList } from '../../src/http/arm/arm-schemas.js';
import { DEMO } from '../support/demo.js';
import { Api, type ApiResponse } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import { type TestServer, startTestServer, testStores } from '../support/test-server.js';

const SUB = DEMO.azure.subscriptionScope;
const OTHER_SUB = '/subscriptions/00000000-0000-0000-0000-000000000002';
const AUTHZ = '/providers/Microsoft.Authorization';
const V = 'api-version=2021-01-01-preview';
const RV = 'api-version=2020-10-01';
const ROLE_DEFINITION = `${SUB}${AUTHZ}/roleDefinitions/${DEMO.azure.contributor}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const { alice, bob } = DEMO.users;

/** Every ARM response in this suite goes through one of these, so a shape drift fails a test. */
function expectShape(schema: Type.TSchema, res: ApiResponse, status = 200) {
  expect(res.status, res.text).toBe(status);
  const errors = [...Value.Errors(schema, res.body)].map((e) => `${e.instancePath} ${e.message}`);
  expect(errors, res.text).toEqual([]);
  expect(res.headers.get('x-ms-request-id')).toMatch(GUID);
  return res.body;
}

function expectArmError(res: ApiResponse, code: keyof typeof ARM_ERRORS) {
  const entry = ARM_ERRORS[code];
  expectShape(ArmErrorResponse, res, entry.status);
  expect(res.body.error.code).toBe(entry.code);
  return res.body.error.message as string;
}

const approvals = (scope = '') => `${scope}${AUTHZ}/roleAssignmentApprovals`;
const stagePath = (approvalId: string, stageId: string, scope = '', child = 'stages') => `${approvals(scope)}/${approvalId}/${child}/${stageId}?${V}`;
const requestPath = (name: string, scope: string = SUB) => `${scope}${AUTHZ}/roleAssignmentScheduleRequests/${name}?${RV}`;

function activationBody(overrides: Record<string, unknown> = {}) {
  return {
    properties: {
      principalId: alice,
      roleDefinitionId: ROLE_DEFINITION,
      requestType: 'SelfActivate',
      justification: 'Deploy the hotfix for INC-4711',
      scheduleInfo: { startDateTime: new Date().toISOString(), expiration: { type: 'AfterDuration', endDateTime: null, duration: 'PT1H' } },
      ...overrides,
    },
  };
}

describe.each(testStores())('ARM role assignment approvals (%s store)', (store) => {
  const servers: TestServer[] = [];
  async function fresh(env: Record<string, string> = {}): Promise<{ server: TestServer; api: Api }> {
    const server = await startTestServer({ store, env });
    servers.push(server);
    return { server, api: new Api(server.url) };
  }
  afterAll(async () => {
    for (const s of servers) await s.destroy();
  });

  async function activate(api: Api, name: string = randomUUID(), scope: string = SUB) {
    const res = await api.call('PUT', requestPath(name, scope), { as: 'alice', body: activationBody() });
    return expectShape(ArmScheduleRequest, res, 201);
  }
  async function stagesOf(api: Api, approvalId: string, as = 'bob') {
    return expectShape(ArmStageList, await api.get(`${approvals()}/${approvalId}/stages?${V}`, as)).value as any[];
  }

  describe('one approval, end to end', () => {
    let server: TestServer;
    let api: Api;
    beforeAll(async () => ({ server, api } = await fresh()));

    it('creates the approval with a schedule request, lists, reads, approves with the wrapped body, then 409s', async () => {
      const name = randomUUID();
      const created = await activate(api, name);
      expect(created).toMatchObject({
        name, id: `${SUB}${AUTHZ}/RoleAssignmentScheduleRequests/${name}`,
        properties: { status: 'PendingApproval', principalId: alice, roleDefinitionId: ROLE_DEFINITION, scope: SUB, requestType: 'SelfActivate', requestorId: alice },
      });
      expect(created.properties.approvalId).toBe(`${AUTHZ}/roleAssignmentApprovals/${name}`);
      expect(created.properties.scheduleInfo.expiration).toEqual({ type: 'AfterDuration', endDateTime: null, duration: 'PT1H' });
      expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name), 'alice'))).toEqual(created);

      const inbox = expectShape(ArmApprovalList, await api.get(`${approvals()}?${V}&$filter=asApprover()`, 'bob'));
      expect(inbox.value.map((a: any) => a.name)).toEqual([name]);

      // The request's approvalId is the approval's resource id: a client can address it as given.
      const approval = expectShape(ArmApproval, await api.get(`${created.properties.approvalId}?${V}`, 'bob'));
      expect(approval).toMatchObject({ id: `${AUTHZ}/roleAssignmentApprovals/${name}`, name, type: 'Microsoft.Authorization/roleAssignmentApprovals' });
      expect(approval.properties.stages).toHaveLength(1);
      const [stage] = await stagesOf(api, name);
      expect(stage).toMatchObject({
        id: `${AUTHZ}/roleAssignmentApprovals/${name}/stages/${stage.name}`, type: 'Microsoft.Authorization/roleAssignmentApprovals/stages',
        properties: { status: 'InProgress', assignedToMe: true, reviewedBy: null, reviewedDateTime: null, reviewResult: 'NotReviewed', justification: '' },
      });
      expect(expectShape(ArmStage, await api.get(stagePath(name, stage.name), 'alice')).properties.assignedToMe).toBe(false);

      const correlation = randomUUID();
      const decided = await api.call('PATCH', stagePath(name, stage.name), {
        as: 'bob', body: { properties: { reviewResult: 'Approve', justification: 'Change ticket checked' } }, headers: { 'x-ms-correlation-request-id': correlation },
      });
      expect(decided.headers.get('x-ms-correlation-request-id')).toBe(correlation);
      expect(expectShape(ArmStage, decided)).toMatchObject({
        name: stage.name,
        properties: { status: 'Completed', reviewResult: 'Approve', justification: 'Change ticket checked', assignedToMe: false,
          reviewedBy: { principalId: bob, principalType: 'user', principalName: 'Bob Approver', userPrincipalName: 'bob@contoso.com' } },
      });
      expect(Date.parse(decided.body.properties.reviewedDateTime)).not.toBeNaN();
      expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name), 'alice')).properties.status).toBe('Provisioned');

      // One engine: the decision is audited under the client's correlation id.
      const audit = await server.running.services.store.db.selectFrom('audit_events').select(['action', 'correlation_id', 'actor_id'])
        .where('request_id', '=', name).orderBy('seq').execute();
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['request.created', 'stage.started', 'stage.decided', 'request.granted', 'assignment.started']));
      expect(audit.find((a) => a.action === 'stage.decided')).toMatchObject({ correlation_id: correlation, actor_id: bob });

      expectArmError(await api.call('PATCH', stagePath(name, stage.name), { as: 'bob', body: { properties: { reviewResult: 'Deny', justification: 'late' } } }), 'STEP_ALREADY_DECIDED');
      expectArmError(await api.call('PUT', stagePath(name, stage.name), { as: 'bob', body: { reviewResult: 'Approve', justification: 'again' } }), 'STEP_ALREADY_DECIDED');
      expect(expectShape(ArmApprovalList, await api.get(`${approvals()}?${V}&$filter=asApprover()`, 'bob')).value).toEqual([]);
      // The role is active now; activating it again is refused as Azure does.
      expectArmError(await api.call('PUT', requestPath(randomUUID()), { as: 'alice', body: activationBody() }), 'ASSIGNMENT_EXISTS');
    });

    it('lists the operations it serves', async () => {
      const ops = expectShape(ArmOperationList, await api.get(`${AUTHZ}/operations?${V}`, 'dave'));
      expect(ops.value.map((o: any) => o.name)).toContain('Microsoft.Authorization/roleAssignmentApprovals/stages/write');
      expectArmError(await api.call('GET', `${AUTHZ}/operations?${V}`, { token: null }), 'UNAUTHENTICATED');
    });

    it('sets the ARM request headers on successes and errors alike', async () => {
      const res = await api.call('GET', `${AUTHZ}/operations?${V}`, { as: 'alice', headers: { 'x-ms-client-request-id': 'client-1', 'x-ms-correlation-request-id': 'corr-1' } });
      expect(res.headers.get('x-ms-client-request-id')).toBe('client-1');
      expect(res.headers.get('x-ms-correlation-request-id')).toBe('corr-1');
      const other = await api.get(`${AUTHZ}/operations?${V}`, 'alice');
      expect(other.headers.get('x-ms-correlation-request-id')).toMatch(GUID);
      expect(other.headers.get('x-ms-request-id')).not.toBe(res.headers.get('x-ms-request-id'));
      const failed = await api.call('GET', `${AUTHZ}/operations`, { as: 'alice', headers: { 'x-ms-client-request-id': 'client-2' } });
      expectArmError(failed, 'MISSING_API_VERSION');
      expect(failed.headers.get('x-ms-client-request-id')).toBe('client-2');
    });
  });

  it('answers the decision matrix on a pending approval and leaves it pending, then takes a flat Deny on the steps alias at a scope', async () => {
    const { api } = await fresh();
    const name = randomUUID();
    await activate(api, name);
    const [stage] = await stagesOf(api, name);
    const path = stagePath(name, stage.name);
    const ok = { properties: { reviewResult: 'Approve', justification: 'fine' } };
    const patch = (p: string, body: unknown, as: string | null = 'bob') => api.call('PATCH', p, as ? { as, body } : { token: null, body });

    expectArmError(await patch(path, ok, 'dave'), 'NOT_AN_APPROVER');
    expectArmError(await patch(path, ok, 'alice'), 'SELF_APPROVAL');
    expectArmError(await patch(path, ok, 'carol'), 'NOT_AN_APPROVER');
    expectArmError(await patch(stagePath(randomUUID(), stage.name), ok), 'APPROVAL_NOT_FOUND');
    expectArmError(await patch(stagePath(name, randomUUID()), ok), 'STEP_NOT_FOUND');
    expectArmError(await patch(path, { properties: { justification: 'no verdict' } }), 'INVALID_DECISION');
    expectArmError(await patch(path, { properties: { reviewResult: 'Maybe', justification: 'x' } }), 'INVALID_DECISION');
    expectArmError(await patch(path, { properties: { reviewResult: 'Approve' } }), 'JUSTIFICATION_REQUIRED');
    expectArmError(await patch(path, { reviewResult: 'Approve', justification: '  ' }), 'JUSTIFICATION_REQUIRED');
    expectArmError(await patch(path, { properties: { reviewResult: 'Approve', justification: 'x', colour: 'red' } }), 'BAD_REQUEST');
    expectArmError(await patch(path, { properties: { reviewResult: 'Approve' }, justification: 'split' }), 'BAD_REQUEST');
    expectArmError(await patch(path, { properties: { reviewResult: 42 } }), 'BAD_REQUEST');
    expectArmError(await api.call('PATCH', path, { as: 'bob', rawBody: '{"properties":', headers: { 'content-type': 'application/json' } }), 'BAD_REQUEST');
    expectArmError(await patch(path, ok, null), 'UNAUTHENTICATED');
    expectArmError(await api.call('PATCH', path, { token: 'not.a.jwt', body: ok }), 'UNAUTHENTICATED');
    expectArmError(await api.get(`${approvals()}/${name}?${V}`, 'dave'), 'ACCESS_DENIED');
    expectArmError(await patch(path.replace(V, ''), ok), 'MISSING_API_VERSION');
    const wrongVersion = expectArmError(await patch(path.replace(V, 'api-version=2020-10-01'), ok), 'INVALID_API_VERSION');
    expect(wrongVersion).toContain('2021-01-01-preview');
    expect(expectArmError(await api.call('PUT', requestPath(randomUUID()).replace(RV, 'api-version=1999-01-01'), { as: 'alice', body: activationBody() }), 'INVALID_API_VERSION')).toContain('2020-10-01');
    expectArmError(await api.get(`${AUTHZ}/roleAssignmentWidgets?${V}`, 'bob'), 'UNKNOWN_ROUTE');
    expectArmError(await api.call('POST', path, { as: 'bob', body: ok }), 'UNKNOWN_ROUTE');
    expectArmError(await api.get(`${SUB}${AUTHZ}/operations?${V}`, 'bob'), 'UNKNOWN_ROUTE');
    // Outside the request's scope the approval does not exist.
    expectArmError(await patch(stagePath(name, stage.name, OTHER_SUB), ok), 'APPROVAL_NOT_FOUND');
    expectArmError(await patch(stagePath(name, stage.name, `${SUB}/resourceGroups/rg-web`), ok), 'APPROVAL_NOT_FOUND');

    const still = expectShape(ArmStage, await api.get(path, 'bob'));
    expect(still.properties).toMatchObject({ status: 'InProgress', reviewResult: 'NotReviewed', assignedToMe: true });
    expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name), 'alice')).properties.status).toBe('PendingApproval');

    // A client may send back the stage it read, with its verdict: read-only fields and displayName are ignored.
    const denied = await api.call('PUT', stagePath(name, stage.name, SUB, 'steps'), {
      as: 'bob', body: { ...still, properties: undefined, reviewResult: 'deny', justification: 'Not during the freeze', displayName: 'Renamed by reviewer', status: 'Completed' },
    });
    expect(expectShape(ArmStage, denied)).toMatchObject({
      id: `${SUB}${AUTHZ}/roleAssignmentApprovals/${name}/stages/${stage.name}`,
      properties: { status: 'Completed', reviewResult: 'Deny', justification: 'Not during the freeze', displayName: still.properties.displayName },
    });
    expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name), 'alice')).properties.status).toBe('Denied');
  });

  it('serves every operation under a scope, with scope-prefixed ids, and hides approvals outside it', async () => {
    const { api } = await fresh();
    const name = randomUUID();
    await activate(api, name);
    for (const scope of [SUB, `/providers/Microsoft.Subscription${SUB}`]) {
      const list = expectShape(ArmApprovalList, await api.get(`${approvals(scope)}?${V}`, 'bob'));
      expect(list.value.map((a: any) => a.id)).toEqual([`${SUB}${AUTHZ}/roleAssignmentApprovals/${name}`]);
      const approval = expectShape(ArmApproval, await api.get(`${approvals(scope)}/${name}?${V}`, 'bob'));
      expect(approval.properties.stages[0].id).toBe(`${SUB}${AUTHZ}/roleAssignmentApprovals/${name}/stages/${approval.properties.stages[0].name}`);
    }
    const steps = expectShape(ArmStageList, await api.get(`${approvals(SUB)}/${name}/steps?${V}`, 'bob'));
    expect(steps.value).toHaveLength(1);
    expect(expectShape(ArmStage, await api.get(stagePath(name, steps.value[0].name, SUB, 'steps'), 'bob')).id).toBe(steps.value[0].id);
    for (const scope of [OTHER_SUB, `${SUB}/resourceGroups/rg-web`, '/providers/Microsoft.Management/managementGroups/contoso-root']) {
      expect(expectShape(ArmApprovalList, await api.get(`${approvals(scope)}?${V}`, 'bob')).value).toEqual([]);
      expectArmError(await api.get(`${approvals(scope)}/${name}?${V}`, 'bob'), 'APPROVAL_NOT_FOUND');
    }
    expectArmError(await api.get(requestPath(name, OTHER_SUB), 'alice'), 'REQUEST_NOT_FOUND');
    // Scoped PATCH decides the same approval.
    const decided = await api.call('PATCH', stagePath(name, steps.value[0].name, SUB), { as: 'bob', body: { properties: { reviewResult: 'Approve', justification: 'ok' } } });
    expect(expectShape(ArmStage, decided).properties.reviewResult).toBe('Approve');
  });

  it('reads its paths case-insensitively, the root segment included', async () => {
    const { api } = await fresh();
    const name = randomUUID();
    await activate(api, name);
    const upper = `${AUTHZ}/roleAssignmentApprovals/${name}`.toUpperCase().replace(name.toUpperCase(), name);
    expect(expectShape(ArmApproval, await api.get(`${upper}?${V}`, 'bob')).name).toBe(name);
    const list = expectShape(ArmApprovalList, await api.get(`${SUB.replace('subscriptions', 'SUBSCRIPTIONS')}${AUTHZ}/roleAssignmentApprovals?${V}`, 'bob'));
    expect(list.value.map((a: any) => a.name)).toEqual([name]);
    expectArmError(await api.get(`/PROVIDERS/MICROSOFT.AUTHORIZATION/roleAssignmentWidgets?${V}`, 'bob'), 'UNKNOWN_ROUTE');
  });

  it('refuses a scope that addresses nothing with 400, rather than reading it as another scope', async () => {
    const { server, api } = await fresh();
    await activate(api);
    const list = `${AUTHZ}/roleAssignmentApprovals?${V}`;
    // An empty subscription segment was read as a scope above every subscription, and listed this approval.
    expectArmError(await api.get(`/subscriptions/${list}`, 'bob'), 'INVALID_URL');
    expectArmError(await api.get(`${SUB}/resourceGroups/${list}`, 'bob'), 'INVALID_URL');
    expect(expectArmError(await api.get(`/subscriptions/not-a-guid${list}`, 'bob'), 'INVALID_SUBSCRIPTION_ID')).toContain("'not-a-guid'");
    expectArmError(await api.get(`/subscriptions${list}`, 'bob'), 'INVALID_SUBSCRIPTION_ID');
    const dotted = await rawRequest(server.url, `GET /subscriptions/x/y/z/../..${list} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${await api.token('bob')}\r\nConnection: close\r\n\r\n`);
    expectArmError(dotted, 'INVALID_SUBSCRIPTION_ID');
  });

  it('shows a request made at a resource at that resource, its resource group, subscription and tenant, and nowhere else', async () => {
    // The demo tenant plus Contributor on one web app, with the subscription's approval policy.
    // The resource group's name has a LIKE wildcard, so a sibling must not match it by pattern.
    const site = `${SUB}/resourceGroups/rgXweb/providers/Microsoft.Web/sites/app1`;
    const tenant = JSON.parse(readFileSync('tenants/demo.json', 'utf8'));
    const contributor = tenant.policies.find((p: any) => p.family === 'azureRole');
    tenant.policies.push({ ...contributor, id: randomUUID(), scope: site });
    tenant.eligibilities.push({ principalId: alice, family: 'azureRole', resourceId: DEMO.azure.contributor, scope: site });
    const file = join(tmpdir(), `signoff-arm-tenant-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(tenant));
    const { api } = await fresh({ SIGNOFF_TENANT: file });
    rmSync(file);
    const name = randomUUID();
    expect((await activate(api, name, site)).properties).toMatchObject({ scope: site, status: 'PendingApproval' });
    for (const scope of ['', site, `${SUB}/resourceGroups/rgXweb`, SUB]) {
      const list = expectShape(ArmApprovalList, await api.get(`${approvals(scope)}?${V}`, 'bob'));
      expect(list.value.map((a: any) => a.id)).toEqual([`${scope}${AUTHZ}/roleAssignmentApprovals/${name}`]);
    }
    for (const scope of [`${SUB}/resourceGroups/rg_web`, `${SUB}/resourceGroups/rgXweb/providers/Microsoft.Web/sites/app2`, OTHER_SUB]) {
      expect(expectShape(ArmApprovalList, await api.get(`${approvals(scope)}?${V}`, 'bob')).value).toEqual([]);
    }
    expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name, site), 'alice')).id).toBe(`${site}${AUTHZ}/RoleAssignmentScheduleRequests/${name}`);
  });

  it('filters by asApprover(), asCreatedBy(), asTarget(), pages with nextLink, and shows only what the caller may read', async () => {
    const { api } = await fresh();
    const first = randomUUID();
    await activate(api, first);
    const [stage] = await stagesOf(api, first);
    expectShape(ArmStage, await api.call('PATCH', stagePath(first, stage.name), { as: 'bob', body: { reviewResult: 'Deny', justification: 'Not now' } }));
    const second = randomUUID();
    await activate(api, second);

    const names = async (query: string, as: string) => expectShape(ArmApprovalList, await api.get(`${approvals()}?${V}${query}`, as)).value.map((a: any) => a.name);
    expect(await names('&$filter=asTarget()', 'alice')).toEqual([first, second]);
    expect(await names('&$filter=asCreatedBy()', 'alice')).toEqual([first, second]);
    expect(await names('&$filter=asApprover()', 'alice')).toEqual([]);
    expect(await names('&$filter=asApprover()', 'bob')).toEqual([second]);
    expect(await names('&$filter=asTarget()', 'bob')).toEqual([]);
    expect(await names('', 'bob')).toEqual([first, second]);
    expect(await names('', 'admin')).toEqual([first, second]);
    expect(await names('', 'carol')).toEqual([]);
    expect(await names('', 'dave')).toEqual([]);

    const page1 = expectShape(ArmApprovalList, await api.get(`${approvals()}?${V}&$top=1`, 'alice'));
    expect(page1.value.map((a: any) => a.name)).toEqual([first]);
    const next = new URL(page1.nextLink);
    expect(`${next.protocol}//${next.host}`).toBe(api.baseUrl);
    expect(next.searchParams.get('api-version')).toBe('2021-01-01-preview');
    const page2 = expectShape(ArmApprovalList, await api.get(`${next.pathname}${next.search}`, 'alice'));
    expect(page2.value.map((a: any) => a.name)).toEqual([second]);
    expect(page2.nextLink).toBeUndefined();

    expectArmError(await api.get(`${approvals()}?${V}&$filter=asEveryone()`, 'alice'), 'BAD_REQUEST');
    expectArmError(await api.get(`${approvals()}?${V}&$skipToken=garbage`, 'alice'), 'BAD_REQUEST');
    expectArmError(await api.get(`${approvals()}?${V}&$top=0`, 'alice'), 'BAD_REQUEST');
  });

  it('refuses invalid schedule requests with ARM errors', async () => {
    const { api } = await fresh();
    const put = (body: unknown, as = 'alice', name: string = randomUUID()) => api.call('PUT', requestPath(name), { as, body });
    expectArmError(await put(activationBody({ justification: null })), 'POLICY_VALIDATION_FAILED');
    expect(expectArmError(await put(activationBody({ scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT12H' } } })), 'POLICY_VALIDATION_FAILED')).toContain('ExpirationRule');
    expectArmError(await put(activationBody({ scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'soon' } } })), 'INVALID_SCHEDULE');
    // Too long for any date, or a day the month does not have: the same refusal, never a 500.
    for (const scheduleInfo of [
      { expiration: { type: 'AfterDuration', duration: 'P99999999D' } },
      { expiration: { type: 'AfterDuration', duration: 'PT9999999999999H' } },
      { startDateTime: '2027-02-30T00:00:00Z', expiration: { type: 'AfterDuration', duration: 'PT1H' } },
    ]) expectArmError(await put(activationBody({ scheduleInfo })), 'INVALID_SCHEDULE');
    expectArmError(await put(activationBody({ principalId: DEMO.users.dave }), 'dave'), 'NOT_ELIGIBLE');
    expectArmError(await put(activationBody(), 'bob'), 'NOT_OWN_REQUEST');
    expectArmError(await put(activationBody({ roleDefinitionId: `${SUB}${AUTHZ}/roleDefinitions/11111111-1111-1111-1111-111111111111` })), 'TARGET_NOT_FOUND');
    expectArmError(await put(activationBody({ roleDefinitionId: 'Contributor' })), 'BAD_REQUEST');
    expectArmError(await put(activationBody({ requestType: 'AdminAssign' })), 'BAD_REQUEST');
    expectArmError(await put({ principalId: alice }), 'BAD_REQUEST');
    expectArmError(await put(activationBody(), 'alice', 'not-a-guid'), 'BAD_REQUEST');
    expectArmError(await api.call('PUT', requestPath(randomUUID()), { token: null, body: activationBody() }), 'UNAUTHENTICATED');
    expectArmError(await api.get(requestPath(randomUUID()), 'alice'), 'REQUEST_NOT_FOUND');

    // The tenant-level role definition id names the same role.
    const name = randomUUID();
    const created = await api.call('PUT', requestPath(name), { as: 'alice', body: activationBody({ roleDefinitionId: `${AUTHZ}/roleDefinitions/${DEMO.azure.contributor}` }) });
    expect(expectShape(ArmScheduleRequest, created, 201).properties.status).toBe('PendingApproval');
    expectArmError(await put(activationBody(), 'alice', name), 'INVALID_REQUEST');
    expectArmError(await put(activationBody()), 'PENDING_REQUEST_EXISTS');
    expectArmError(await api.get(requestPath(name), 'dave'), 'ACCESS_DENIED');
  });

  it('shows an approval past its timeout as Expired and refuses a late decision', async () => {
    const { server, api } = await fresh();
    const name = randomUUID();
    await activate(api, name);
    const [stage] = await stagesOf(api, name);
    server.clock.advance(25 * 3600_000);
    await server.running.timers.runNow();
    expect(expectShape(ArmStage, await api.get(stagePath(name, stage.name), 'bob')).properties.status).toBe('Expired');
    expectArmError(await api.call('PATCH', stagePath(name, stage.name), { as: 'bob', body: { properties: { reviewResult: 'Approve', justification: 'late' } } }), 'STEP_EXPIRED');
    expect(expectShape(ArmScheduleRequest, await api.get(requestPath(name), 'alice')).properties.status).toBe('Denied');
  });
});
