import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const ACTIVATIONS = '/signoff/v1/breakGlass/activations';
const ROLES = '/beta/roleManagement/directory';
const GROUPS = '/beta/identityGovernance/privilegedAccess/group';
const POLICIES = {
  userAdministrator: 'Directory_18bd2cb8-d6cb-4571-9eb7-b58536c809b6_477041d4-49df-4a2e-80ea-df5ead16277e',
  securityAdministrator: 'Directory_18bd2cb8-d6cb-4571-9eb7-b58536c809b6_3fd542de-22ef-4586-8af4-c5f78897ea63',
  prodOps: 'Group_77dc31b1-7e5f-4af0-83a3-f7be31c4bae0_4f2d144f-dfa7-4d39-9f42-3b5a8a8ac322',
};
const { alice, carol } = DEMO.users;

describe.each(testStores())('break-glass activation (%s store)', (store) => {
  const signoff = useTestServer({ store });

  beforeAll(async () => {
    const settings = (maximumDurationMinutes: number, reviewWithinMinutes: number) => ({
      enabled: true, maximumDurationMinutes, reviewers: [{ type: 'singleUser', userId: carol }], reviewWithinMinutes,
    });
    for (const [policy, body] of [[POLICIES.userAdministrator, settings(60, 120)], [POLICIES.securityAdministrator, settings(60, 120)], [POLICIES.prodOps, settings(180, 30)]] as const) {
      const res = await signoff.api.call('PUT', `/signoff/v1/breakGlass/policies/${policy}`, { as: 'admin', body });
      expect(res.status, res.text).toBe(200);
    }
  });

  const activate = (resourceId: string, extra: Record<string, unknown> = {}, as = 'alice') =>
    signoff.api.post(ACTIVATIONS, { family: 'directoryRole', resourceId, justification: 'Production is down', duration: 'PT1H', ...extra }, as);
  const roleInstances = async (roleId: string) => {
    const res = await signoff.api.get(`${ROLES}/roleAssignmentScheduleInstances?$filter=${encodeURIComponent(`principalId eq '${alice}' and roleDefinitionId eq '${roleId}'`)}`, 'admin');
    return res.body.value as any[];
  };
  const auditActions = async (requestId: string) => {
    const res = await signoff.api.get(`/signoff/v1/audit?requestId=${requestId}`, 'admin');
    expect(res.status, res.text).toBe(200);
    return res.body.value.map((e: any) => e.action) as string[];
  };
  async function decide(approvals: string, id: string, reviewResult: 'Approve' | 'Deny') {
    const steps = await signoff.api.get(`${approvals}/${id}/steps`, 'carol');
    expect(steps.status, steps.text).toBe(200);
    const res = await signoff.api.patch(`${approvals}/${id}/steps/${steps.body.value[0].id}`, { reviewResult, justification: 'Reviewed the incident' }, 'carol');
    expect(res.status, res.text).toBe(204);
  }

  it('keeps settings to administrators and refuses what the policy or eligibility do not allow', async () => {
    const put = await signoff.api.call('PUT', `/signoff/v1/breakGlass/policies/${POLICIES.prodOps}`, { as: 'alice', body: { enabled: false, maximumDurationMinutes: 60, reviewers: [], reviewWithinMinutes: 60 } });
    expectGraphError(put, 'ACCESS_DENIED');
    const contributor = await signoff.api.post(ACTIVATIONS, { family: 'azureRole', resourceId: DEMO.azure.contributor, scope: DEMO.azure.subscriptionScope, justification: 'x' }, 'alice');
    expectGraphError(contributor, 'POLICY_VALIDATION_FAILED');
    expect(contributor.body.error.message).toContain('BreakGlassRule');
    const tooLong = await activate(DEMO.roles.userAdministrator, { duration: 'PT2H', justification: ' ' });
    expectGraphError(tooLong, 'POLICY_VALIDATION_FAILED');
    expect(tooLong.body.error.message).toContain('JustificationRule');
    expect(tooLong.body.error.message).toContain('ExpirationRule');
    expectGraphError(await activate(DEMO.roles.userAdministrator, {}, 'dave'), 'NOT_ELIGIBLE');
  });

  it('grants at once and keeps the access when the reviewer approves', async () => {
    const res = await activate(DEMO.roles.userAdministrator);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ status: 'Provisioned', principalId: alice, review: { status: 'Pending', reviewerIds: [carol] } });
    expect(Date.parse(res.body.review.deadline) - Date.parse(res.body.startDateTime)).toBe(120 * 60_000);
    expect(await roleInstances(DEMO.roles.userAdministrator)).toHaveLength(1);

    // The review waits in the reviewer's inbox like any approval.
    const inbox = await signoff.api.get(`${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`, 'carol');
    expect(inbox.body.value.map((r: any) => r.id)).toContain(res.body.id);
    const self = await signoff.api.get(`${ROLES}/roleAssignmentApprovals/${res.body.id}/steps`, 'alice');
    const own = await signoff.api.patch(`${ROLES}/roleAssignmentApprovals/${res.body.id}/steps/${self.body.value[0].id}`, { reviewResult: 'Approve', justification: 'me' }, 'alice');
    expect(own.status).toBe(GRAPH_ERRORS.SELF_APPROVAL.status);

    await decide(`${ROLES}/roleAssignmentApprovals`, res.body.id, 'Approve');
    const after = await signoff.api.get(`${ACTIVATIONS}/${res.body.id}`, 'alice');
    expect(after.body).toMatchObject({ status: 'Provisioned', review: { status: 'Approved', reviewedBy: carol } });
    expect(await roleInstances(DEMO.roles.userAdministrator)).toHaveLength(1);
    expect(await auditActions(res.body.id)).toEqual(expect.arrayContaining(['request.created', 'breakGlass.activated', 'assignment.started', 'stage.decided', 'breakGlass.reviewApproved']));
    const list = await signoff.api.get(ACTIVATIONS, 'admin');
    expect(list.body.value.map((a: any) => a.id)).toContain(res.body.id);
    expectGraphError(await signoff.api.get(`${ACTIVATIONS}/${res.body.id}`, 'dave'), 'ACCESS_DENIED');
  });

  it('revokes the access and records an incident when the reviewer denies', async () => {
    const res = await activate(DEMO.roles.securityAdministrator);
    expect(res.status, res.text).toBe(201);
    expect(await roleInstances(DEMO.roles.securityAdministrator)).toHaveLength(1);
    await decide(`${ROLES}/roleAssignmentApprovals`, res.body.id, 'Deny');
    const after = await signoff.api.get(`${ACTIVATIONS}/${res.body.id}`, 'alice');
    expect(after.body).toMatchObject({ status: 'Revoked', review: { status: 'Denied' } });
    expect(await roleInstances(DEMO.roles.securityAdministrator)).toHaveLength(0);
    expect(await auditActions(res.body.id)).toEqual(expect.arrayContaining(['assignment.ended', 'breakGlass.incident']));
  });

  it('revokes the access when the review deadline passes unanswered', async () => {
    const res = await signoff.api.post(ACTIVATIONS, { family: 'group', resourceId: DEMO.groups.prodOps, justification: 'Pager went off', duration: 'PT2H' }, 'alice');
    expect(res.status, res.text).toBe(201);
    const filter = encodeURIComponent(`principalId eq '${alice}' and groupId eq '${DEMO.groups.prodOps}'`);
    expect((await signoff.api.get(`${GROUPS}/assignmentScheduleInstances?$filter=${filter}`, 'admin')).body.value).toHaveLength(1);
    const moved = await signoff.api.post('/dev/clock', { advance: 'PT29M' });
    expect(moved.status, moved.text).toBe(200);
    expect((await signoff.api.get(`${ACTIVATIONS}/${res.body.id}`, 'alice')).body.status).toBe('Provisioned');
    await signoff.api.post('/dev/clock', { advance: 'PT2M' });
    const after = await signoff.api.get(`${ACTIVATIONS}/${res.body.id}`, 'alice');
    expect(after.body).toMatchObject({ status: 'Revoked', review: { status: 'Expired' } });
    expect((await signoff.api.get(`${GROUPS}/assignmentScheduleInstances?$filter=${filter}`, 'admin')).body.value).toHaveLength(0);
    const actions = await auditActions(res.body.id);
    expect(actions).toEqual(expect.arrayContaining(['approval.expired', 'assignment.ended', 'breakGlass.incident']));
  });
});
