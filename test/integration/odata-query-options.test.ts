import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { type ApiResponse, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const GROUP_APPROVALS = '/v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals';
const EM_REQUESTS = '/v1.0/identityGovernance/entitlementManagement/assignmentRequests';
const POLICY_ASSIGNMENTS = '/v1.0/policies/roleManagementPolicyAssignments';
const ROLE_REQUEST_TYPE = 'microsoft.graph.unifiedRoleAssignmentScheduleRequest';

/** A 400 in Graph's envelope whose message says what Graph's would. */
function expectRefused(res: ApiResponse, message: RegExp | string): void {
  expectGraphError(res, 'BAD_REQUEST');
  if (typeof message === 'string') expect(res.body.error.message).toBe(message);
  else expect(res.body.error.message).toMatch(message);
}

describe.each(testStores())('OData query options on Graph (%s store)', (store) => {
  const signoff = useTestServer({ store });
  let request: any;
  let steps: string;

  beforeAll(async () => {
    // Security Administrator has two stages, so its approval has two steps to page through.
    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, DEMO.users.alice), 'alice');
    expect(created.status, created.text).toBe(201);
    request = created.body;
    steps = `${APPROVALS}/${request.id}/steps`;
  });

  it('refuses $select and $filter naming a property the type does not have, with $ or without it', async () => {
    const unknown = `Could not find a property named 'nonexistent' on type '${ROLE_REQUEST_TYPE}'.`;
    expectRefused(await signoff.api.get(`${REQUESTS}?$select=nonexistent`, 'alice'), unknown);
    expectRefused(await signoff.api.get(`${REQUESTS}?select=id,nonexistent`, 'alice'), unknown);
    expectRefused(await signoff.api.get(`${REQUESTS}/${request.id}?$select=nonexistent`, 'alice'), unknown);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=unknownProp eq 'x'`, 'alice'), `Could not find a property named 'unknownProp' on type '${ROLE_REQUEST_TYPE}'.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=status eq 'PendingApproval' and bogus/id eq 'x'`, 'alice'), /named 'bogus'/);
    expectRefused(await signoff.api.get(`${steps}?$select=reviewer`, 'bob'), "Could not find a property named 'reviewer' on type 'microsoft.graph.approvalStep'.");
    expectRefused(await signoff.api.get(`${GROUP_APPROVALS}/filterByCurrentUser(on='approver')?$select=steps`, 'bob'), "Could not find a property named 'steps' on type 'microsoft.graph.approval'.");
  });

  it('accepts every property a served item has, in any letter case, and serves only those selected', async () => {
    const read = await signoff.api.get(`${REQUESTS}/${request.id}`, 'alice');
    const properties = Object.keys(read.body).filter((k) => !k.startsWith('@'));
    expect(properties.length).toBeGreaterThan(10);
    for (const property of properties) {
      const res = await signoff.api.get(`${REQUESTS}?$select=${property}`, 'alice');
      expect(res.status, `${property}: ${res.text}`).toBe(200);
    }
    const selected = await signoff.api.get(`${REQUESTS}?$select=Status,principalId&$filter=Id eq '${request.id}'`, 'alice');
    expect(selected.status, selected.text).toBe(200);
    expect(selected.body.value).toEqual([{ '@odata.type': '#microsoft.graph.unifiedRoleAssignmentScheduleRequest', id: request.id, status: 'PendingApproval', principalId: DEMO.users.alice }]);
  });

  it('refuses $orderby, $expand, $skip and $search it does not support, and malformed values, naming the problem', async () => {
    expectRefused(await signoff.api.get(`${REQUESTS}?$orderby=bogus desc`, 'alice'), `Could not find a property named 'bogus' on type '${ROLE_REQUEST_TYPE}'.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$orderby=createdDateTime asc`, 'alice'), `$orderby 'createdDateTime asc' is not supported on '${ROLE_REQUEST_TYPE}'; it serves this list by 'createdDateTime desc, id desc' only.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=bogus`, 'alice'), `Could not find a property named 'bogus' on type '${ROLE_REQUEST_TYPE}'.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=status`, 'alice'), /'status' .* is not a navigation property/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$count=maybe`, 'alice'), "Invalid value 'maybe' for $count: 'true' or 'false' is expected.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$format=xml`, 'alice'), "Invalid value 'xml' for $format: Signoff answers 'json' (application/json) only.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$skip=-1`, 'alice'), "Invalid value '-1' for $skip: a non-negative integer is expected.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$skip=abc`, 'alice'), "Invalid value 'abc' for $skip: a non-negative integer is expected.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$skip=2`, 'alice'), /\$skip is not supported/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$search="alice"`, 'alice'), /\$search is not supported/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$colour=red`, 'alice'), "The query option '$colour' is not supported.");
    // A name without `$` is a custom query option, not Graph's to refuse.
    expect((await signoff.api.get(`${REQUESTS}?colour=red`, 'alice')).status).toBe(200);
  });

  it('expands what Signoff serves, with options nested in the parentheses', async () => {
    const assignments = await signoff.api.get(`${POLICY_ASSIGNMENTS}?$expand=policy($expand=rules($select=id))`, 'admin');
    expect(assignments.status, assignments.text).toBe(200);
    const [first] = assignments.body.value;
    expect(first.policy.id).toBe(first.policyId);
    expect(first.policy.rules.map((r: any) => Object.keys(r).sort())).toEqual([['@odata.type', 'id'], ['@odata.type', 'id'], ['@odata.type', 'id']]);
    expectRefused(await signoff.api.get(`${POLICY_ASSIGNMENTS}?$expand=policy($expand=bogus)`, 'admin'), "Could not find a property named 'bogus' on type 'microsoft.graph.unifiedRoleManagementPolicy'.");
    const approval = await signoff.api.get(`${APPROVALS}/${request.id}?$expand=steps($select=status)`, 'bob');
    expect(approval.body.steps.map((s: any) => s.status)).toEqual(['InProgress', 'Initializing']);
    expect(approval.body.steps[0].reviewResult).toBeUndefined();
  });

  it('accepts every relationship Graph documents in $expand, serving those Signoff has data for and omitting the others', async () => {
    const read = await signoff.api.get(`${REQUESTS}/${request.id}?$expand=roleDefinition,principal,directoryScope,appScope,activatedUsing,targetSchedule`, 'alice');
    expect(read.status, read.text).toBe(200);
    expect(read.body.roleDefinition).toMatchObject({ id: DEMO.roles.securityAdministrator, displayName: 'Security Administrator' });
    expect(read.body.principal).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: DEMO.users.alice, displayName: expect.any(String) });
    expect(read.body.directoryScope).toBeNull();
    for (const omitted of ['appScope', 'activatedUsing', 'targetSchedule']) expect(read.body).not.toHaveProperty(omitted);
    const plain = await signoff.api.get(`${REQUESTS}/${request.id}`, 'alice');
    expect(plain.body).not.toHaveProperty('roleDefinition');

    const selected = await signoff.api.get(`${REQUESTS}?$select=id&$expand=roleDefinition($select=displayName),principal($select=id)`, 'alice');
    expect(selected.status, selected.text).toBe(200);
    expect(selected.body.value[0].roleDefinition).toEqual({ id: DEMO.roles.securityAdministrator, displayName: 'Security Administrator' });
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=roleDefinition($select=bogus)`, 'alice'), "Could not find a property named 'bogus' on type 'microsoft.graph.unifiedRoleDefinition'.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=group`, 'alice'), `Could not find a property named 'group' on type '${ROLE_REQUEST_TYPE}'.`);
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')?$expand=principal,roleDefinition`, 'bob')).body.value[0].roleDefinition.id).toBe(DEMO.roles.securityAdministrator);

    for (const [path, names] of [
      ['/v1.0/roleManagement/directory/roleEligibilityScheduleInstances', 'roleDefinition,principal'],
      ['/v1.0/roleManagement/directory/roleAssignmentScheduleInstances', 'roleDefinition,principal'],
      ['/v1.0/roleManagement/directory/roleEligibilitySchedules', 'roleDefinition,principal,directoryScope'],
      ['/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests', 'principal,group,activatedUsing'],
      ['/beta/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances', 'principal,group'],
      ['/v1.0/identityGovernance/entitlementManagement/accessPackages', 'assignmentPolicies,catalog'],
      ['/v1.0/identityGovernance/entitlementManagement/assignmentPolicies', 'accessPackage,catalog'],
      [EM_REQUESTS, 'accessPackage($select=displayName),requestor'],
    ] as const) {
      const res = await signoff.api.get(`${path}?$expand=${names}`, 'admin');
      expect(res.status, `${path}?$expand=${names}: ${res.text}`).toBe(200);
    }
    const groups = await signoff.api.get('/beta/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$expand=group($select=displayName)', 'admin');
    const prodOps = groups.body.value.find((e: any) => e.groupId === DEMO.groups.prodOps);
    expect(prodOps.group).toEqual({ '@odata.type': '#microsoft.graph.group', id: DEMO.groups.prodOps, displayName: 'Prod Ops' });

    const me = await signoff.api.get('/v1.0/me?$expand=manager($select=displayName)', 'alice');
    expect(me.status, me.text).toBe(200);
    expect(me.body.manager).toEqual({ '@odata.type': '#microsoft.graph.user', id: DEMO.users.bob, displayName: expect.any(String) });
    expect((await signoff.api.get('/v1.0/me?$expand=manager', 'bob')).body).not.toHaveProperty('manager');
  });

  it('serves a beta approval\'s steps under stages too, as its /stages path does, and caps an expanded collection at a nested $top', async () => {
    const approval = await signoff.api.get(`${APPROVALS}/${request.id}?$expand=stages($select=status)`, 'bob');
    expect(approval.status, approval.text).toBe(200);
    expect(approval.body.stages.map((s: any) => s.status)).toEqual(['InProgress', 'Initializing']);
    expect(approval.body.steps).toHaveLength(2);
    expect((await signoff.api.get(`${APPROVALS}/${request.id}`, 'bob')).body).not.toHaveProperty('stages');
    expect((await signoff.api.get(`${APPROVALS}/${request.id}?$select=stages`, 'bob')).status).toBe(200);
    const groupRequests = '/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests';
    const { roleDefinitionId: _role, directoryScopeId: _scope, ...pim } = activationBody(DEMO.roles.userAdministrator, DEMO.users.alice);
    const created = await signoff.api.post(groupRequests, { ...pim, accessId: 'member', groupId: DEMO.groups.prodOps }, 'alice');
    expect(created.status, created.text).toBe(201);
    const pending = await signoff.api.get("/beta/identityGovernance/privilegedAccess/group/assignmentApprovals/filterByCurrentUser(on='approver')?$expand=stages", 'bob');
    expect(pending.status, pending.text).toBe(200);
    expect(pending.body.value.find((a: any) => a.id === created.body.id).stages).toHaveLength(1);
    await signoff.api.post(`${groupRequests}/${created.body.id}/cancel`, undefined, 'alice');
    const capped = await signoff.api.get(`${APPROVALS}/${request.id}?$expand=steps($top=1;$count=true)`, 'bob');
    expect(capped.status, capped.text).toBe(200);
    expect(capped.body.steps).toHaveLength(1);
  });

  it('reads $top the same way on every list: refuses what is not a positive integer, caps it at 999, and pages with @odata.nextLink', async () => {
    for (const list of [REQUESTS, steps, `${REQUESTS}/filterByCurrentUser(on='approver')`, '/beta/roleManagement/directory/roleDefinitions']) {
      for (const top of ['-1', '0', 'abc', '1.5']) {
        expectRefused(await signoff.api.get(`${list}?$top=${top}`, 'bob'), `Invalid value '${top}' for $top: a positive integer is expected.`);
      }
      const capped = await signoff.api.get(`${list}?$top=100000`, 'bob');
      expect(capped.status, `${list}: ${capped.text}`).toBe(200);
      expect(capped.body['@odata.nextLink']).toBeUndefined();
    }

    const first = await signoff.api.get(`${steps}?$top=1`, 'bob');
    expect(first.body.value.map((s: any) => s.status)).toEqual(['InProgress']);
    const next = new URL(first.body['@odata.nextLink']);
    expect(next.searchParams.get('$top')).toBe('1');
    const second = await signoff.api.get(`${next.pathname}${next.search}`, 'bob');
    expect(second.body.value.map((s: any) => s.status)).toEqual(['Initializing']);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  it('serves @odata.count for $count=true (any letter case) where it knows the total, on the first page only', async () => {
    const counted = await signoff.api.get(`${steps}?$count=true&$top=1`, 'bob');
    expect(counted.status, counted.text).toBe(200);
    expect(counted.body['@odata.count']).toBe(2);
    expect(counted.body.value).toHaveLength(1);
    const next = new URL(counted.body['@odata.nextLink']);
    const second = await signoff.api.get(`${next.pathname}${next.search}`, 'bob');
    expect(second.body['@odata.count']).toBeUndefined();
    expect((await signoff.api.get(`${steps}?$count=True&$filter=status eq 'InProgress'`, 'bob')).body['@odata.count']).toBe(1);
    expect((await signoff.api.get(`${steps}?$count=FALSE`, 'bob')).body['@odata.count']).toBeUndefined();

    // A list the store pages is counted when one page holds it all, and accepted uncounted when not.
    const mine = await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='principal')?$count=true`, 'alice');
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body['@odata.count']).toBe(mine.body.value.length);
    const users = await signoff.api.call('GET', '/v1.0/users?$count=true&$top=1', { as: 'alice', headers: { ConsistencyLevel: 'eventual' } });
    expect(users.status, users.text).toBe(200);
    expect(users.body['@odata.count']).toBeUndefined();
    expect(users.body['@odata.nextLink']).toBeDefined();
  });

  it('filters by DateTimeOffset and GUID literals, in lists and startswith, endswith and contains, as Graph clients write them', async () => {
    const ids = async (filter: string) => {
      const res = await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent(filter)}`, 'alice');
      expect(res.status, `${filter}: ${res.text}`).toBe(200);
      return res.body.value.map((r: any) => r.id);
    };
    // Whole seconds, and the same instant written with an offset: served times carry milliseconds.
    const second = Math.floor(Date.parse(request.createdDateTime) / 1000) * 1000;
    const utc = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const plusTwo = (ms: number) => `${new Date(ms + 2 * 3600_000).toISOString().slice(0, 19)}+02:00`;
    expect(await ids(`createdDateTime ge ${utc(second)} and id eq '${request.id}'`)).toEqual([request.id]);
    expect(await ids(`createdDateTime ge ${plusTwo(second)} and id eq '${request.id}'`)).toEqual([request.id]);
    expect(await ids(`createdDateTime gt ${utc(second + 1000)} and id eq '${request.id}'`)).toEqual([]);
    expect(await ids(`createdDateTime lt ${plusTwo(second)} and id eq '${request.id}'`)).toEqual([]);
    expect(await ids(`id eq ${request.id}`)).toEqual([request.id]);
    expect(await ids(`principalId eq ${DEMO.users.alice} and id in ('${request.id}', 'x')`)).toEqual([request.id]);
    expect(await ids(`status in ('Provisioned', 'Denied') and id eq '${request.id}'`)).toEqual([]);
    expect(await ids(`startswith(status, 'pending') and endswith(id, '${request.id.slice(-6).toUpperCase()}') and contains(justification, '${request.justification.slice(1, 4)}')`)).toEqual([request.id]);
    expect(await ids(`not startswith(status, 'Pending') and id eq '${request.id}'`)).toEqual([]);

    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent('createdDateTime ge 2026-13-45T00:00:00Z')}`, 'alice'), /Invalid DateTimeOffset/);
    // Days a month does not have, and hour 24, are refused rather than read as a later instant.
    for (const literal of ['2026-02-29T00:00:00Z', '2026-04-31T12:00:00Z', '2026-01-01T24:00:00Z']) {
      expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent(`createdDateTime ge ${literal}`)}`, 'alice'), /Invalid DateTimeOffset/);
    }
    expect(await ids(`createdDateTime ge 2028-02-29T00:00:00Z and id eq '${request.id}'`)).toEqual([]);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent('startswith(status, 3)')}`, 'alice'), /string literal/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent('startswith(bogus, \'x\')')}`, 'alice'), /named 'bogus'/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent("status in ()")}`, 'alice'), /Invalid \$filter/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$filter=${encodeURIComponent('createdDateTime ge 2026-01-01')}`, 'alice'), /Invalid \$filter/);
  });

  it('accepts $format=json and an $orderby asking for the order a list is served in', async () => {
    for (const format of ['json', 'JSON', 'application/json', 'application/json;odata.metadata=minimal']) {
      const res = await signoff.api.get(`${REQUESTS}?$format=${encodeURIComponent(format)}`, 'alice');
      expect(res.status, `${format}: ${res.text}`).toBe(200);
    }
    for (const order of ['createdDateTime desc', 'CreatedDateTime DESC,id desc']) {
      const res = await signoff.api.get(`${REQUESTS}?$orderby=${encodeURIComponent(order)}`, 'alice');
      expect(res.status, `${order}: ${res.text}`).toBe(200);
    }
    const definitions = await signoff.api.get('/v1.0/roleManagement/directory/roleDefinitions?$orderby=displayName asc', 'alice');
    expect(definitions.status, definitions.text).toBe(200);
    const names = definitions.body.value.map((d: any) => d.displayName);
    expect(names).toEqual([...names].sort());
    expect((await signoff.api.get('/v1.0/users?$orderby=id', 'alice')).status).toBe(200);
    expectRefused(await signoff.api.get('/v1.0/users?$orderby=displayName', 'alice'), /it serves this list by 'id' only/);
    expectRefused(await signoff.api.get(`${steps}?$orderby=displayName`, 'bob'), `$orderby 'displayName' is not supported on 'microsoft.graph.approvalStep'.`);
  });

  it('reads $top and $skiptoken in any letter case, on Graph, ARM and Signoff\'s own lists', async () => {
    const first = await signoff.api.get(`${steps}?$TOP=1`, 'bob');
    expect(first.body.value).toHaveLength(1);
    const token = new URL(first.body['@odata.nextLink']).searchParams.get('$skiptoken')!;
    const second = await signoff.api.get(`${steps}?$Top=1&$SkipToken=${token}`, 'bob');
    expect(second.status, second.text).toBe(200);
    expect(second.body.value.map((s: any) => s.status)).toEqual(['Initializing']);
    expectRefused(await signoff.api.get(`${steps}?$SkipToken=abc`, 'bob'), 'The $skiptoken is invalid; use @odata.nextLink as given.');
    expectRefused(await signoff.api.get(`${steps}?$top=1&$TOP=2`, 'bob'), "Query option '$top' was given more than once.");
    // The next page's link replaces the token however the client spelled it.
    const paged = await signoff.api.get(`${steps}?$top=1&$SKIPTOKEN=${encodeURIComponent(Buffer.from('{"offset":0}').toString('base64url'))}`, 'bob');
    expect([...new URL(paged.body['@odata.nextLink']).searchParams.keys()]).toEqual(['$top', '$skiptoken']);

    const arm = '/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview';
    for (const option of ['$TOP=abc', '$SKIPTOKEN=abc']) {
      const res = await signoff.api.get(`${arm}&${option}`, 'alice');
      expect(res.status, `${option}: ${res.text}`).toBe(400);
      expect(res.body.error.code).toBe('InvalidRequestContent');
    }
    expect((await signoff.api.get('/signoff/v1/breakGlass/activations?$TOP=abc', 'admin')).status).toBe(400);
  });

  it('refuses a parameter a function does not take', async () => {
    expectRefused(await signoff.api.get(`${GROUP_APPROVALS}/filterByCurrentUser(on='approver',x='1')`, 'bob'), /no parameter named 'x'/);
    expectRefused(await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver',x='1')`, 'bob'), /no parameter named 'x'/);
    expectRefused(await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver',on='principal')`, 'bob'), /more than once/);
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'bob')).status).toBe(200);
  });

  it('fills a $filter-ed page from as many store pages as it takes, and goes on from where it stopped', async () => {
    const newer = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, DEMO.users.alice), 'alice');
    expect(newer.status, newer.text).toBe(201);
    /** Every page of `path` as ids, following @odata.nextLink. */
    const pages = async (path: string, as: 'alice' | 'bob') => {
      const seen: string[][] = [];
      let url: string | undefined = path;
      while (url) {
        expect(seen.length, 'pages followed').toBeLessThan(20);
        const res: ApiResponse = await signoff.api.get(url, as);
        expect(res.status, res.text).toBe(200);
        expect(res.body.value.length).toBeLessThanOrEqual(1);
        seen.push(res.body.value.map((item: any) => item.id));
        const next: string | undefined = res.body['@odata.nextLink'];
        url = next ? `${new URL(next).pathname}${new URL(next).search}` : undefined;
      }
      return seen;
    };
    const only = (id: string) => `$top=1&$filter=${encodeURIComponent(`id eq '${id}'`)}`;

    // Newest first: the older request is not in the first store page of one, yet the first page holds it.
    const mine = await pages(`${REQUESTS}?${only(request.id)}`, 'alice');
    expect(mine[0]).toEqual([request.id]);
    expect(mine.flat()).toEqual([request.id]);
    // The approver's list is oldest first: the newer approval is found past the older one.
    const waiting = await pages(`${REQUESTS}/filterByCurrentUser(on='approver')?${only(newer.body.id)}`, 'bob');
    expect(waiting[0]).toEqual([newer.body.id]);
    expect(waiting.flat()).toEqual([newer.body.id]);
    const approvals = await pages(`${APPROVALS}/filterByCurrentUser(on='approver')?${only(newer.body.id)}`, 'bob');
    expect(approvals[0]).toEqual([newer.body.id]);
    // A status named at the top of the filter narrows the store's read; the answer is the same.
    const pending = async (filter: string) => (await pages(`${REQUESTS}?$top=1&$filter=${encodeURIComponent(filter)}`, 'alice')).flat();
    const both = [newer.body.id, request.id];
    expect((await pending("status eq 'pendingapproval'")).filter((id) => both.includes(id))).toEqual(both);
    expect(await pending(`status in ('Denied', 'PendingApproval') and id eq '${request.id}'`)).toEqual([request.id]);
    expect(await pending(`status eq 'Provisioned' and id eq '${request.id}' and status eq 'PendingApproval'`)).toEqual([]);
    expect(await pending("status eq 'NoSuchStatus'")).toEqual([]);
    expect(await pending(`(status eq 'Denied' or id eq '${request.id}') and principalId eq '${DEMO.users.alice}'`)).toEqual([request.id]);
    expect(await pending(`not (status eq 'PendingApproval') and id eq '${request.id}'`)).toEqual([]);
    // Users are listed by id; bob comes third.
    const users = await pages(`/v1.0/users?${only(DEMO.users.bob)}`, 'alice');
    expect(users[0]).toEqual([DEMO.users.bob]);
    expect(users.flat()).toEqual([DEMO.users.bob]);
  });
});
