import { describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { graphClientFor, graphError } from '../support/graph-client.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

const APPROVALS = '/roleManagement/directory/roleAssignmentApprovals';

describe('@microsoft/microsoft-graph-client against Signoff over HTTPS (PIM for roles)', () => {
  const signoff = useTestServer({ https: true });

  it('drives request → read → approve → 409 → 403 → 404, unmodified', async () => {
    const alice = graphClientFor(signoff.server, signoff.api, 'alice');
    const bob = graphClientFor(signoff.server, signoff.api, 'bob');
    const dave = graphClientFor(signoff.server, signoff.api, 'dave');

    const me = await alice.api('/me').version('v1.0').get();
    expect(me.id).toBe(DEMO.users.alice);

    const created = await alice.api('/roleManagement/directory/roleAssignmentScheduleRequests')
      .post(activationBody(DEMO.roles.userAdministrator, me.id));
    expect(created.status).toBe('PendingApproval');
    expect(created.approvalId).toBe(created.id);

    const mine = await alice.api("/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')").get();
    expect(mine.value.map((r: { id: string }) => r.id)).toContain(created.id);

    const approval = await bob.api(`${APPROVALS}/${created.approvalId}`).get();
    expect(approval.steps).toHaveLength(1);
    const steps = await bob.api(`${APPROVALS}/${created.approvalId}/steps`).get();
    const step = steps.value[0];
    expect(step).toMatchObject({ assignedToMe: true, status: 'InProgress', reviewResult: 'NotReviewed' });
    const one = await bob.api(`${APPROVALS}/${created.approvalId}/steps/${step.id}`).select('id,status').get();
    expect(one).toMatchObject({ id: step.id, status: 'InProgress' });
    expect(one.reviewResult).toBeUndefined();

    const stepPath = `${APPROVALS}/${created.approvalId}/steps/${step.id}`;
    const forbidden = await graphError(dave.api(stepPath).patch({ reviewResult: 'Approve', justification: 'me too' }));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.code).toBe(GRAPH_ERRORS.NOT_AN_APPROVER.code);
    expect(forbidden.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const selfApproval = await graphError(alice.api(stepPath).patch({ reviewResult: 'Approve', justification: 'mine' }));
    expect(selfApproval.statusCode).toBe(403);

    const missing = await graphError(bob.api(`${APPROVALS}/00000000-0000-0000-0000-000000000404/steps/${step.id}`).patch({ reviewResult: 'Approve', justification: 'x' }));
    expect(missing.statusCode).toBe(404);

    const decided = await bob.api(stepPath).patch({ reviewResult: 'Approve', justification: 'Confirmed with the service desk' });
    expect(decided ?? undefined).toBeUndefined();

    const after = await bob.api(stepPath).get();
    expect(after).toMatchObject({ reviewResult: 'Approved', status: 'Completed', justification: 'Confirmed with the service desk' });
    expect(after.reviewedBy[0].id).toBe(DEMO.users.bob);

    const conflict = await graphError(bob.api(stepPath).patch({ reviewResult: 'Deny', justification: 'too late' }));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe(GRAPH_ERRORS.STEP_ALREADY_DECIDED.code);

    const request = await alice.api(`/roleManagement/directory/roleAssignmentScheduleRequests/${created.id}`).get();
    expect(request.status).toBe('Provisioned');
    const instances = await alice.api('/roleManagement/directory/roleAssignmentScheduleInstances')
      .filter(`principalId eq '${me.id}' and roleDefinitionId eq '${DEMO.roles.userAdministrator}'`).get();
    expect(instances.value).toHaveLength(1);
  });

  it('reads lists with .expand(\'roleDefinition\') and .count(true), as PIM samples and Graph PowerShell ask', async () => {
    const alice = graphClientFor(signoff.server, signoff.api, 'alice');
    const instances = await alice.api('/roleManagement/directory/roleAssignmentScheduleInstances').version('v1.0')
      .expand('roleDefinition').count(true).get();
    expect(instances['@odata.count']).toBe(instances.value.length);
    expect(instances.value.length).toBeGreaterThan(0);
    for (const instance of instances.value) expect(instance.roleDefinition).toMatchObject({ id: instance.roleDefinitionId, displayName: expect.any(String) });

    const eligible = await alice.api('/roleManagement/directory/roleEligibilityScheduleInstances').version('v1.0')
      .expand('roleDefinition($select=displayName),principal').count(true).get();
    const userAdmin = eligible.value.find((e: { roleDefinitionId: string }) => e.roleDefinitionId === DEMO.roles.userAdministrator);
    expect(userAdmin.roleDefinition).toEqual({ id: DEMO.roles.userAdministrator, displayName: 'User Administrator' });
    expect(userAdmin.principal).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: DEMO.users.alice, userPrincipalName: 'alice@contoso.com' });
    expect(eligible['@odata.count']).toBe(eligible.value.length);
  });
});
