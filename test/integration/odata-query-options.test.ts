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

  it('refuses $orderby, $expand, $skip, $count and $search it does not support, and malformed values, naming the problem', async () => {
    expectRefused(await signoff.api.get(`${REQUESTS}?$orderby=bogus desc`, 'alice'), `Could not find a property named 'bogus' on type '${ROLE_REQUEST_TYPE}'.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$orderby=createdDateTime desc`, 'alice'), /\$orderby is not supported/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=bogus`, 'alice'), `Could not find a property named 'bogus' on type '${ROLE_REQUEST_TYPE}'.`);
    expectRefused(await signoff.api.get(`${REQUESTS}?$expand=status`, 'alice'), /'status' .* is not a navigation property/);
    expectRefused(await signoff.api.get(`${EM_REQUESTS}?$expand=accessPackage($select=displayName)`, 'alice'), /accessPackage/);
    expectRefused(await signoff.api.get(`${REQUESTS}?$count=maybe`, 'alice'), "Invalid value 'maybe' for $count: 'true' or 'false' is expected.");
    expectRefused(await signoff.api.get(`${REQUESTS}?$count=true`, 'alice'), /\$count is not supported/);
    expect((await signoff.api.get(`${REQUESTS}?$count=false`, 'alice')).status).toBe(200);
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

  it('refuses a parameter a function does not take', async () => {
    expectRefused(await signoff.api.get(`${GROUP_APPROVALS}/filterByCurrentUser(on='approver',x='1')`, 'bob'), /no parameter named 'x'/);
    expectRefused(await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver',x='1')`, 'bob'), /no parameter named 'x'/);
    expectRefused(await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver',on='principal')`, 'bob'), /more than once/);
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'bob')).status).toBe(200);
  });
});
