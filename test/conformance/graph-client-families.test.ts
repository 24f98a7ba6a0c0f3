import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { graphClientFor, graphError } from '../support/graph-client.js';
import { useWiderTenantServer } from '../support/wider-tenant.js';

const GROUP_REQUESTS = '/identityGovernance/privilegedAccess/group/assignmentScheduleRequests';
const GROUP_APPROVALS = '/identityGovernance/privilegedAccess/group/assignmentApprovals';
const EM = '/identityGovernance/entitlementManagement';

const schedule = () => ({ startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: 'PT2H' } });

describe('@microsoft/microsoft-graph-client against Signoff over HTTPS (PIM for groups, entitlement management)', () => {
  const signoff = useWiderTenantServer({ https: true });

  it('PIM for groups: two activations, a paged approver inbox, approve and deny, 409 / 403, then membership', async () => {
    const bob = graphClientFor(signoff.server, signoff.api, 'bob');
    const ids: Record<string, string> = {};
    for (const who of ['alice', 'carol'] as const) {
      const client = graphClientFor(signoff.server, signoff.api, who);
      const created = await client.api(GROUP_REQUESTS).post({
        accessId: 'member', principalId: DEMO.users[who], groupId: DEMO.groups.prodOps, action: 'selfActivate', justification: 'On call this week', scheduleInfo: schedule(),
      });
      expect(created).toMatchObject({ status: 'PendingApproval', accessId: 'member', groupId: DEMO.groups.prodOps });
      ids[who] = created.id;
    }
    const mine = await graphClientFor(signoff.server, signoff.api, 'alice').api(`${GROUP_REQUESTS}/filterByCurrentUser(on='principal')`).get();
    expect(mine.value.map((r: { id: string }) => r.id)).toEqual([ids.alice]);

    // The client follows @odata.nextLink itself: one approval per page.
    const first: PageCollection = await bob.api(`${GROUP_APPROVALS}/filterByCurrentUser(on='approver')`).top(1).get();
    expect(first.value).toHaveLength(1);
    expect(first['@odata.nextLink']).toBeDefined();
    const seen: string[] = [];
    await new PageIterator(bob, first, (approval: { id: string }) => { seen.push(approval.id); return true; }).iterate();
    expect(seen.sort()).toEqual([ids.alice!, ids.carol!].sort());

    const approval = await bob.api(`${GROUP_APPROVALS}/${ids.alice}`).get();
    const step = approval.steps[0];
    expect(step).toMatchObject({ assignedToMe: true, status: 'InProgress', reviewResult: 'NotReviewed' });
    const stepPath = `${GROUP_APPROVALS}/${ids.alice}/steps/${step.id}`;

    const forbidden = await graphError(graphClientFor(signoff.server, signoff.api, 'dave').api(stepPath).patch({ reviewResult: 'Approve', justification: 'me too' }));
    expect([forbidden.statusCode, forbidden.code]).toEqual([403, GRAPH_ERRORS.NOT_AN_APPROVER.code]);
    expect(await bob.api(stepPath).patch({ reviewResult: 'Approve', justification: 'On call confirmed' }) ?? undefined).toBeUndefined();
    const conflict = await graphError(graphClientFor(signoff.server, signoff.api, 'carol').api(stepPath).patch({ reviewResult: 'Deny', justification: 'second opinion' }));
    expect([conflict.statusCode, conflict.code]).toEqual([409, GRAPH_ERRORS.STEP_ALREADY_DECIDED.code]);

    const carolSteps = await bob.api(`${GROUP_APPROVALS}/${ids.carol}/steps`).get();
    await bob.api(`${GROUP_APPROVALS}/${ids.carol}/steps/${carolSteps.value[0].id}`).patch({ reviewResult: 'Deny', justification: 'Not on call' });
    const carolRequest = await graphClientFor(signoff.server, signoff.api, 'carol').api(`${GROUP_REQUESTS}/${ids.carol}`).get();
    expect(carolRequest.status).toBe('Denied');

    const members = await graphClientFor(signoff.server, signoff.api, 'alice', 'v1.0').api(`/groups/${DEMO.groups.prodOps}/members`).get();
    expect(members.value.map((u: { userPrincipalName: string }) => u.userPrincipalName)).toEqual(['alice@contoso.com']);
    const instances = await graphClientFor(signoff.server, signoff.api, 'alice', 'v1.0').api('/identityGovernance/privilegedAccess/group/assignmentScheduleInstances')
      .filter(`groupId eq '${DEMO.groups.prodOps}' and principalId eq '${DEMO.users.alice}'`).get();
    expect(instances.value).toEqual([expect.objectContaining({ accessId: 'member', assignmentType: 'activated' })]);
  });

  it('entitlement management (v1.0): request, manager approves through stages, delivered assignment; cancel another', async () => {
    const alice = graphClientFor(signoff.server, signoff.api, 'alice', 'v1.0');
    const bob = graphClientFor(signoff.server, signoff.api, 'bob', 'v1.0');

    const policy = await alice.api(`${EM}/assignmentPolicies/${DEMO.accessPackagePolicies.contractorAccess}`).get();
    expect(policy.requestApprovalSettings.stages[0].primaryApprovers[0]['@odata.type']).toBe('#microsoft.graph.requestorManager');

    const created = await alice.api(`${EM}/assignmentRequests`).post({
      requestType: 'userAdd', justification: 'Starting the vendor project',
      assignment: { accessPackageId: DEMO.accessPackages.contractorAccess, assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess },
    });
    expect(created).toMatchObject({ requestType: 'userAdd', state: 'pendingApproval', status: 'PendingApproval' });

    const inbox = await bob.api(`${EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')`).get();
    expect(inbox.value.map((a: { id: string }) => a.id)).toEqual([created.id]);
    const stages = await bob.api(`${EM}/accessPackageAssignmentApprovals/${created.id}/stages`).get();
    const stagePath = `${EM}/accessPackageAssignmentApprovals/${created.id}/stages/${stages.value[0].id}`;
    const noJustification = await graphError(bob.api(stagePath).patch({ reviewResult: 'Approve' }));
    expect([noJustification.statusCode, noJustification.code]).toEqual([400, GRAPH_ERRORS.JUSTIFICATION_REQUIRED.code]);
    await bob.api(stagePath).patch({ reviewResult: 'Approve', justification: 'Contract signed' });
    const stage = await bob.api(stagePath).get();
    expect(stage).toMatchObject({ reviewResult: 'Approved', status: 'Completed', reviewedBy: { id: DEMO.users.bob } });

    const delivered = await alice.api(`${EM}/assignmentRequests/${created.id}`).expand('accessPackage').get();
    expect(delivered).toMatchObject({ state: 'delivered', status: 'Delivered', accessPackage: { id: DEMO.accessPackages.contractorAccess } });
    const assignments = await alice.api(`${EM}/assignments`).filter(`accessPackage/id eq '${DEMO.accessPackages.contractorAccess}'`).get();
    expect(assignments.value).toEqual([expect.objectContaining({ state: 'delivered' })]);

    const carol = graphClientFor(signoff.server, signoff.api, 'carol', 'v1.0');
    const another = await carol.api(`${EM}/assignmentRequests`).post({
      requestType: 'userAdd', justification: 'Vendor project too',
      assignment: { accessPackageId: DEMO.accessPackages.contractorAccess, assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess },
    });
    await carol.api(`${EM}/assignmentRequests/${another.id}/cancel`).post(undefined);
    expect((await carol.api(`${EM}/assignmentRequests/${another.id}`).get()).state).toBe('canceled');
    const again = await graphError(carol.api(`${EM}/assignmentRequests/${another.id}/cancel`).post(undefined));
    expect([again.statusCode, again.code]).toEqual([400, GRAPH_ERRORS.NOT_CANCELABLE.code]);
  });
});
