import { describe, expect, it } from 'vitest';
import { MAX_POLICY_DURATION_MINUTES } from '../../src/domain/policy-validation.js';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const INSTANCES = '/beta/roleManagement/directory/roleAssignmentScheduleInstances';
const POLICIES = '/beta/policies/roleManagementPolicies';
const SIGNOFF_POLICIES = '/signoff/v1/policies';
const { alice, bob, carol, dave } = DEMO.users;

/** Policy ids as tenants/demo.json seeds them. */
const POLICY = {
  userAdministrator: `Directory_${DEMO.tenantId}_477041d4-49df-4a2e-80ea-df5ead16277e`,
  securityAdministrator: `Directory_${DEMO.tenantId}_3fd542de-22ef-4586-8af4-c5f78897ea63`,
  prodOpsMember: `Group_${DEMO.groups.prodOps}_4f2d144f-dfa7-4d39-9f42-3b5a8a8ac322`,
};
const APPROVAL_RULE = 'Approval_EndUser_Assignment';

const user = (userId: string) => ({ '@odata.type': '#microsoft.graph.singleUser', userId });
const stage = (over: Record<string, unknown> = {}) => ({
  '@odata.type': '#microsoft.graph.approvalStage', approvalStageTimeOutInDays: 1, isApproverJustificationRequired: true,
  escalationTimeInMinutes: 0, isEscalationEnabled: false, primaryApprovers: [user(bob)], escalationApprovers: [], ...over,
});
const approvalRule = (stages: object[], mode = stages.length > 1 ? 'Serial' : 'SingleStage') => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule', id: APPROVAL_RULE,
  target: { caller: 'EndUser', operations: ['All'], level: 'Assignment', inheritableSettings: [], enforcedSettings: [] },
  setting: { isApprovalRequired: stages.length > 0, isApprovalRequiredForExtension: false, isRequestorJustificationRequired: true, approvalMode: mode, approvalStages: stages },
});

describe.each(testStores())('policies and time (%s store)', (store) => {
  const signoff = useTestServer({ store }, { perTest: true });

  const advance = async (duration: string) => {
    const res = await signoff.api.post('/dev/clock', { advance: duration });
    expect(res.status, res.text).toBe(200);
    return res.body.now as string;
  };
  const patchRule = (policyId: string, rule: object, as = 'admin', ruleId = APPROVAL_RULE) => signoff.api.patch(`${POLICIES}/${policyId}/rules/${ruleId}`, rule, as);
  async function activate(role: string, overrides: Record<string, unknown> = {}) {
    const res = await signoff.api.post(REQUESTS, activationBody(role, alice, overrides), 'alice');
    expect(res.status, res.text).toBe(201);
    return res.body;
  }
  const stepsOf = async (id: string, as = 'bob') => (await signoff.api.get(`${APPROVALS}/${id}/steps`, as)).body.value as any[];
  const statusOf = async (id: string) => (await signoff.api.get(`${REQUESTS}/${id}`, 'alice')).body.status as string;
  const decide = (id: string, stepId: string, as: string, reviewResult = 'Approve') => signoff.api.patch(`${APPROVALS}/${id}/steps/${stepId}`, { reviewResult, justification: `${reviewResult} by ${as}` }, as);
  const activeRoles = async () => ((await signoff.api.get(INSTANCES, 'alice')).body.value as any[]).map((i) => i.roleDefinitionId);

  it('lists policies by scope, their rules and their assignments in Graph shapes', async () => {
    const directory = await signoff.api.get(`${POLICIES}?$filter=scopeId eq '/' and scopeType eq 'Directory'&$expand=rules`, 'admin');
    expect(directory.status, directory.text).toBe(200);
    expect(directory.body.value.map((p: any) => p.id).sort()).toEqual([POLICY.securityAdministrator, POLICY.userAdministrator].sort());
    const secAdmin = directory.body.value.find((p: any) => p.id === POLICY.securityAdministrator);
    expect(secAdmin.rules.map((r: any) => r.id)).toEqual([APPROVAL_RULE, 'Expiration_EndUser_Assignment', 'Enablement_EndUser_Assignment']);
    expect(secAdmin.rules[0].setting).toMatchObject({ isApprovalRequired: true, approvalMode: 'Serial' });
    expect(secAdmin.rules[0].setting.approvalStages.map((s: any) => s.primaryApprovers[0])).toEqual([
      { '@odata.type': '#microsoft.graph.singleUser', isBackup: false, id: bob, description: 'Bob Approver' },
      { '@odata.type': '#microsoft.graph.singleUser', isBackup: false, id: carol, description: 'Carol Approver' },
    ]);

    const groups = await signoff.api.get(`/v1.0/policies/roleManagementPolicies?$filter=scopeId eq '${DEMO.groups.prodOps}' and scopeType eq 'Group'`, 'admin');
    expect(groups.body.value.map((p: any) => p.id)).toEqual([POLICY.prodOpsMember]);

    const rule = await signoff.api.get(`/v1.0/policies/roleManagementPolicies/${POLICY.userAdministrator}/rules/${APPROVAL_RULE}`, 'alice');
    expect(rule.status).toBe(200);
    expect(rule.body.setting.approvalStages[0]).toMatchObject({ '@odata.type': '#microsoft.graph.unifiedApprovalStage', approvalStageTimeOutInDays: 1 });
    expect(rule.body.setting.approvalStages[0].primaryApprovers[0]).toEqual({ '@odata.type': '#microsoft.graph.singleUser', userId: bob, description: 'Bob Approver' });
    const expiration = await signoff.api.get(`${POLICIES}/${POLICY.userAdministrator}/rules/Expiration_EndUser_Assignment`, 'alice');
    expect(expiration.body).toMatchObject({ isExpirationRequired: true, maximumDuration: 'PT8H' });
    expectGraphError(await signoff.api.get(`${POLICIES}/${POLICY.userAdministrator}/rules/Notification_Admin_Admin_Eligibility`, 'alice'), 'POLICY_NOT_FOUND');
    expectGraphError(await signoff.api.get(`${POLICIES}/nope`, 'alice'), 'POLICY_NOT_FOUND');

    const assignments = await signoff.api.get(`/beta/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${DEMO.roles.securityAdministrator}'`, 'admin');
    expect(assignments.body.value).toEqual([expect.objectContaining({
      policyId: POLICY.securityAdministrator, scopeId: '/', scopeType: 'DirectoryRole', roleDefinitionId: DEMO.roles.securityAdministrator,
      id: `${POLICY.securityAdministrator}_${DEMO.roles.securityAdministrator}`,
    })]);
    const groupAssignments = await signoff.api.get(`/beta/policies/roleManagementPolicyAssignments?$filter=scopeType eq 'Group'&$expand=policy`, 'admin');
    expect(groupAssignments.body.value).toEqual([expect.objectContaining({ policyId: POLICY.prodOpsMember, scopeId: DEMO.groups.prodOps, roleDefinitionId: 'member', policy: expect.objectContaining({ id: POLICY.prodOpsMember }) })]);
  });

  it('only administrators change policies; a change bumps the version and is audited', async () => {
    expectGraphError(await patchRule(POLICY.userAdministrator, approvalRule([stage({ primaryApprovers: [user(carol)] })]), 'bob'), 'ACCESS_DENIED');
    expectGraphError(await signoff.api.get(SIGNOFF_POLICIES, 'bob'), 'ACCESS_DENIED');
    expectGraphError(await signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, { activation: { isTicketingRequired: true } }, 'alice'), 'ACCESS_DENIED');
    expectGraphError(await signoff.api.call('PATCH', `${POLICIES}/${POLICY.userAdministrator}/rules/${APPROVAL_RULE}`, { token: null, body: approvalRule([stage()]) }), 'UNAUTHENTICATED');

    const ok = await patchRule(POLICY.userAdministrator, approvalRule([stage({ primaryApprovers: [user(carol)] })]));
    expect(ok.status, ok.text).toBe(204);
    const read = await signoff.api.get(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, 'admin');
    expect(read.body).toMatchObject({ id: POLICY.userAdministrator, version: 2, updatedBy: DEMO.users.admin });
    expect(read.body.approval.stages[0].primaryApprovers).toEqual([{ type: 'singleUser', userId: carol }]);
    const versions = await signoff.api.get(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}/versions`, 'admin');
    expect(versions.body.value.map((v: any) => v.version)).toEqual([2, 1]);

    const enablement = await patchRule(POLICY.userAdministrator, { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule', id: 'Enablement_EndUser_Assignment', enabledRules: ['Justification', 'Ticketing'] }, 'admin', 'Enablement_EndUser_Assignment');
    expect(enablement.status, enablement.text).toBe(204);
    const expiration = await patchRule(POLICY.userAdministrator, { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule', id: 'Expiration_EndUser_Assignment', isExpirationRequired: true, maximumDuration: 'PT2H' }, 'admin', 'Expiration_EndUser_Assignment');
    expect(expiration.status, expiration.text).toBe(204);
    expect((await signoff.api.get(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, 'admin')).body).toMatchObject({ version: 4, activation: { maximumDurationMinutes: 120, isTicketingRequired: true } });
    // The new rules apply to the next request: no ticket, and longer than two hours, both fail.
    const refused = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice, { ticketInfo: null, scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT3H' } } }), 'alice');
    expectGraphError(refused, 'POLICY_VALIDATION_FAILED');
    expect(refused.body.error.message).toContain('TicketingRule');
    expect(refused.body.error.message).toContain('ExpirationRule');

    const audit = await signoff.api.get(`/signoff/v1/audit?action=policy.updated`, 'admin');
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.value.length).toBe(3);
  });

  it('answers 400 with a clear message for invalid settings and leaves the policy unchanged', async () => {
    const cases: Array<[string, string, object, RegExp]> = [
      // [what the row proves, policy, rule body, message]
      ['PIM allows at most two stages', POLICY.securityAdministrator, approvalRule([stage(), stage({ primaryApprovers: [user(carol)] }), stage()]), /At most 2 approval stages/],
      ['PIM for groups allows at most two stages', POLICY.prodOpsMember, approvalRule([stage(), stage(), stage()]), /At most 2 approval stages/],
      ['approver groups must exist in the directory', POLICY.prodOpsMember, approvalRule([stage({ primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupMembers', groupId: '00000000-0000-0000-0000-0000000000bb' }] })]), /group '00000000-0000-0000-0000-0000000000bb' does not exist/],
      ['each stage needs a primary approver', POLICY.userAdministrator, approvalRule([stage({ primaryApprovers: [] })]), /at least one primary approver/],
      ['escalation must come before the timeout', POLICY.userAdministrator, approvalRule([stage({ isEscalationEnabled: true, escalationTimeInMinutes: 1440, escalationApprovers: [user(carol)] })]), /must be shorter than the stage timeout/],
      ['approvers must exist in the directory', POLICY.userAdministrator, approvalRule([stage({ primaryApprovers: [user('00000000-0000-0000-0000-0000000000aa')] })]), /does not exist in the directory/],
      ['SingleStage takes one stage', POLICY.userAdministrator, approvalRule([stage(), stage({ primaryApprovers: [user(carol)] })], 'SingleStage'), /SingleStage takes exactly one/],
      ['unsupported approver types are named', POLICY.userAdministrator, approvalRule([stage({ primaryApprovers: [{ '@odata.type': '#microsoft.graph.internalSponsors' }] })]), /internalSponsors/],
    ];
    for (const [why, policyId, body, message] of cases) {
      const res = await patchRule(policyId, body);
      expectGraphError(res, 'INVALID_POLICY');
      expect(res.body.error.message, why).toMatch(message);
    }
    const tooMany = await signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, { approval: { stages: [{ approvalsRequired: 2 }] } }, 'admin');
    expectGraphError(tooMany, 'INVALID_POLICY');
    expect(tooMany.body.error.message).toMatch(/approvalsRequired is 2 but only 1 distinct primary approver is named/);
    expectGraphError(await patchRule(POLICY.userAdministrator, { ...approvalRule([stage()]), unknownField: 1 }), 'BAD_REQUEST');
    expect((await signoff.api.get(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, 'admin')).body.version).toBe(1);
  });

  it('refuses durations past 3660 days on every policy route, leaves the policies as they were, and requests keep working', async () => {
    const emPolicy = DEMO.accessPackagePolicies.contractorAccess;
    const emPath = `/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/${emPolicy}`;
    const emBody = (over: Record<string, unknown>) => ({
      displayName: 'Contractor Access policy', allowedTargetScope: 'allMemberUsers',
      requestApprovalSettings: {
        isApprovalRequiredForAdd: true, isApprovalRequiredForUpdate: false, isRequestorJustificationRequired: true,
        stages: [{ durationBeforeAutomaticDenial: 'P14D', isApproverJustificationRequired: true, isEscalationEnabled: false, primaryApprovers: [user(bob)], escalationApprovers: [], ...over }],
      },
    });
    const expiration = { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule', id: 'Expiration_EndUser_Assignment', isExpirationRequired: true };
    const refused: Array<[string, () => Promise<any>]> = [
      ['Graph: a stage timeout of 999,999,999,999 days', () => patchRule(POLICY.userAdministrator, approvalRule([stage({ approvalStageTimeOutInDays: 999_999_999_999 })]))],
      ['Graph: a stage timeout one day past the bound', () => patchRule(POLICY.userAdministrator, approvalRule([stage({ approvalStageTimeOutInDays: 3661 })]))],
      ['Graph: a maximum activation of 99,999,999 days', () => patchRule(POLICY.userAdministrator, { ...expiration, maximumDuration: 'P99999999D' }, 'admin', 'Expiration_EndUser_Assignment')],
      ['entitlement management: an automatic denial after 99,999,999 days', () => signoff.api.call('PUT', emPath, { as: 'admin', body: emBody({ durationBeforeAutomaticDenial: 'P99999999D' }) })],
      ['Signoff: a role stage timeout of 99,999,999,999,999 minutes', () => signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, { approval: { stages: [{ timeoutMinutes: 99_999_999_999_999 }] } }, 'admin')],
      ['Signoff: an access package stage timeout of 99,999,999,999,999 minutes', () => signoff.api.patch(`${SIGNOFF_POLICIES}/${emPolicy}`, { approval: { stages: [{ timeoutMinutes: 99_999_999_999_999 }] } }, 'admin')],
      ['Signoff: a maximum activation of 99,999,999,999,999 minutes', () => signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, { activation: { maximumDurationMinutes: 99_999_999_999_999 } }, 'admin')],
    ];
    for (const [why, send] of refused) {
      const res = await send();
      expectGraphError(res, 'INVALID_POLICY');
      expect(res.body.error.message, why).toContain(`from 1 to ${MAX_POLICY_DURATION_MINUTES} (3660 days)`);
    }
    for (const id of [POLICY.userAdministrator, emPolicy]) expect((await signoff.api.get(`${SIGNOFF_POLICIES}/${id}`, 'admin')).body.version).toBe(1);

    // The bound itself is accepted, and requests under it start their stages.
    expect((await patchRule(POLICY.userAdministrator, approvalRule([stage({ approvalStageTimeOutInDays: 3660 })]))).status).toBe(204);
    await activate(DEMO.roles.userAdministrator);
    const em = await signoff.api.post('/beta/identityGovernance/entitlementManagement/accessPackageAssignmentRequests', {
      requestType: 'UserAdd', accessPackageAssignment: { targetId: alice, assignmentPolicyId: emPolicy, accessPackageId: DEMO.accessPackages.contractorAccess },
      justification: 'Contract work', schedule: { startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: 'P30D' } },
    }, 'alice');
    expect(em.status, em.text).toBe(201);
  });

  it('keeps the stages an approval started with when its policy changes mid-flight; new requests follow the new version', async () => {
    const first = await activate(DEMO.roles.securityAdministrator);
    // Stage 2 moves from carol to dave, and stage 1 from bob to carol.
    const changed = await patchRule(POLICY.securityAdministrator, approvalRule([stage({ primaryApprovers: [user(carol)] }), stage({ primaryApprovers: [user(dave)] })]));
    expect(changed.status, changed.text).toBe(204);

    let steps = await stepsOf(first.id);
    expect(steps).toHaveLength(2);
    expect(steps[0].assignedToMe).toBe(true);
    expect((await decide(first.id, steps[0].id, 'bob')).status).toBe(204);
    steps = await stepsOf(first.id, 'carol');
    expect(steps.map((s) => [s.status, s.assignedToMe])).toEqual([['Completed', false], ['InProgress', true]]);
    expectGraphError(await decide(first.id, steps[1].id, 'dave'), 'NOT_AN_APPROVER');
    expect((await decide(first.id, steps[1].id, 'carol')).status).toBe(204);
    expect(await statusOf(first.id)).toBe('Provisioned');
    const firstRow = await signoff.server.running.services.store.db.selectFrom('requests').select(['policy_id', 'policy_version']).where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(firstRow).toEqual({ policy_id: POLICY.securityAdministrator, policy_version: 1 });

    // The activation (PT1H) ends with its schedule; then a new request runs under version 2.
    await advance('PT61M');
    expect(await activeRoles()).not.toContain(DEMO.roles.securityAdministrator);
    const second = await activate(DEMO.roles.securityAdministrator);
    const secondSteps = await stepsOf(second.id, 'carol');
    expect(secondSteps[0].assignedToMe).toBe(true);
    expectGraphError(await decide(second.id, secondSteps[0].id, 'bob'), 'NOT_AN_APPROVER');
    const secondRow = await signoff.server.running.services.store.db.selectFrom('requests').select('policy_version').where('id', '=', second.id).executeTakeFirstOrThrow();
    expect(secondRow.policy_version).toBe(2);
  });

  it('escalates a stage to its escalation approvers once its escalation time passes', async () => {
    // Read, modify, write back: the rule as read (annotations and read-only fields included) is accepted.
    const rule = (await signoff.api.get(`/v1.0/policies/roleManagementPolicies/${POLICY.userAdministrator}/rules/${APPROVAL_RULE}`, 'admin')).body;
    expect(rule['@odata.context']).toBeDefined();
    Object.assign(rule.setting.approvalStages[0], { isEscalationEnabled: true, escalationTimeInMinutes: 60, escalationApprovers: [user(carol)] });
    const res = await signoff.api.patch(`/v1.0/policies/roleManagementPolicies/${POLICY.userAdministrator}/rules/${APPROVAL_RULE}`, rule, 'admin');
    expect(res.status, res.text).toBe(204);
    const created = await activate(DEMO.roles.userAdministrator);
    const [before] = await stepsOf(created.id, 'bob');
    // Before escalation carol may see the step (she may be asked later) but not decide it.
    expect((await signoff.api.get(`${APPROVALS}/${created.id}/steps/${before.id}`, 'carol')).body).toMatchObject({ assignedToMe: false });
    expectGraphError(await decide(created.id, before.id, 'carol'), 'NOT_AN_APPROVER');

    await advance('PT59M');
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'carol')).body.value).toEqual([]);
    await advance('PT2M');
    const after = (await signoff.api.get(`${APPROVALS}/${created.id}/steps/${before.id}`, 'carol')).body;
    expect(after).toMatchObject({ status: 'InProgress', assignedToMe: true, reviewResult: 'NotReviewed' });
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'carol')).body.value.map((r: any) => r.id)).toEqual([created.id]);
    // The primary approver keeps the right to decide; here the escalation approver does.
    expect((await decide(created.id, before.id, 'carol')).status).toBe(204);
    expect(await statusOf(created.id)).toBe('Provisioned');
  });

  it('expires an approval nobody decides: the step reads Expired, the request Denied, and no decision is taken after', async () => {
    const created = await activate(DEMO.roles.userAdministrator);
    const [step] = await stepsOf(created.id);
    await advance('PT23H59M');
    expect(await statusOf(created.id)).toBe('PendingApproval');
    await advance('PT2M');
    expect(await statusOf(created.id)).toBe('Denied');
    const after = (await signoff.api.get(`${APPROVALS}/${created.id}/steps/${step.id}`, 'bob')).body;
    expect(after).toMatchObject({ status: 'Expired', reviewResult: 'NotReviewed', assignedToMe: false });
    expectGraphError(await decide(created.id, step.id, 'bob'), 'STEP_EXPIRED');
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'bob')).body.value).toEqual([]);
    expect(await activeRoles()).not.toContain(DEMO.roles.userAdministrator);
  });

  it('holds a granted request with a future start as Granted, provisions it at the start and ends it at the schedule end', async () => {
    const now = (await signoff.api.get('/dev/clock')).body.now as string;
    const start = new Date(Date.parse(now) + 2 * 3600_000).toISOString();
    const created = await activate(DEMO.roles.userAdministrator, { scheduleInfo: { startDateTime: start, expiration: { type: 'afterDuration', duration: 'PT1H' } } });
    expect(created.scheduleInfo.startDateTime).toBe(start);
    const [step] = await stepsOf(created.id);
    expect((await decide(created.id, step.id, 'bob')).status).toBe(204);
    expect(await statusOf(created.id)).toBe('Granted');
    expect(await activeRoles()).not.toContain(DEMO.roles.userAdministrator);

    await advance('PT2H');
    expect(await statusOf(created.id)).toBe('Provisioned');
    const [instance] = ((await signoff.api.get(INSTANCES, 'alice')).body.value as any[]).filter((i) => i.roleDefinitionId === DEMO.roles.userAdministrator);
    expect(instance).toMatchObject({ startDateTime: start, endDateTime: new Date(Date.parse(start) + 3600_000).toISOString() });

    await advance('PT1H');
    expect(await activeRoles()).not.toContain(DEMO.roles.userAdministrator);
    const ended = await signoff.server.running.services.store.db.selectFrom('assignments').select(['status', 'ended_at']).where('request_id', '=', created.id).executeTakeFirstOrThrow();
    expect(ended.status).toBe('Ended');
    // The role can be activated again once the schedule has ended.
    await activate(DEMO.roles.userAdministrator);
  });

  it('needs k distinct approvals when a stage asks for k of n, shown on the step as annotations', async () => {
    const set = await signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, {
      approval: { stages: [{ primaryApprovers: [{ type: 'singleUser', userId: bob }, { type: 'singleUser', userId: carol }], approvalsRequired: 2 }] },
    }, 'admin');
    expect(set.status, set.text).toBe(200);
    expect(set.body.approval.stages[0].approvalsRequired).toBe(2);
    const rule = (await signoff.api.get(`${POLICIES}/${POLICY.userAdministrator}/rules/${APPROVAL_RULE}`, 'admin')).body;
    expect(rule.setting.approvalStages[0]['@signoff.approvalsRequired']).toBe(2);

    const created = await activate(DEMO.roles.userAdministrator);
    const [step] = await stepsOf(created.id);
    expect(step).toMatchObject({ '@signoff.approvalsRequired': 2, '@signoff.approvalsReceived': 0 });
    expect((await decide(created.id, step.id, 'bob')).status).toBe(204);
    const half = (await signoff.api.get(`${APPROVALS}/${created.id}/steps/${step.id}`, 'carol')).body;
    expect(half).toMatchObject({ status: 'InProgress', reviewResult: 'NotReviewed', assignedToMe: true, '@signoff.approvalsReceived': 1, '@signoff.approvedBy': [bob] });
    expect(await statusOf(created.id)).toBe('PendingApproval');
    expectGraphError(await decide(created.id, step.id, 'bob'), 'STEP_ALREADY_DECIDED');
    expect((await decide(created.id, step.id, 'carol')).status).toBe(204);
    expect(await statusOf(created.id)).toBe('Provisioned');
    expect((await signoff.api.get(`${APPROVALS}/${created.id}/steps/${step.id}`, 'carol')).body).toMatchObject({ status: 'Completed', reviewResult: 'Approved', '@signoff.approvalsReceived': 2 });

    // A policy with the default quorum adds no quorum annotations to Graph's step.
    const plain = await activate(DEMO.roles.securityAdministrator);
    expect(Object.keys((await stepsOf(plain.id))[0]).filter((k) => /^@signoff\.(approvalsRequired|approvalsReceived|approvedBy)$/.test(k))).toEqual([]);
  });

  it('a Deny ends a k-of-n stage at once', async () => {
    await signoff.api.patch(`${SIGNOFF_POLICIES}/${POLICY.userAdministrator}`, {
      approval: { stages: [{ primaryApprovers: [{ type: 'singleUser', userId: bob }, { type: 'singleUser', userId: carol }], approvalsRequired: 2 }] },
    }, 'admin');
    const created = await activate(DEMO.roles.userAdministrator);
    const [step] = await stepsOf(created.id);
    expect((await decide(created.id, step.id, 'bob')).status).toBe(204);
    expect((await decide(created.id, step.id, 'carol', 'Deny')).status).toBe(204);
    expect(await statusOf(created.id)).toBe('Denied');
  });

  it('simulates who would be asked without creating anything', async () => {
    const sim = await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: alice, family: 'directoryRole', resourceId: DEMO.roles.securityAdministrator }, 'admin');
    expect(sim.status, sim.text).toBe(200);
    expect(sim.body).toMatchObject({ policyId: POLICY.securityAdministrator, policyVersion: 1, isEligible: true, requiresApproval: true, approvalMode: 'Serial', maximumDuration: 'PT8H' });
    expect(sim.body.stages.map((s: any) => [s.approvers.map((a: any) => a.userPrincipalName), s.quorum, s.timeout, s.escalation.enabled])).toEqual([
      [['bob@contoso.com'], '1 of 1', 'P1D', false],
      [['carol@contoso.com'], '1 of 1', 'P1D', false],
    ]);

    const manager = await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: 'alice@contoso.com', family: 'accessPackage', resourceId: DEMO.accessPackages.contractorAccess, scope: DEMO.accessPackagePolicies.contractorAccess }, 'alice');
    expect(manager.status, manager.text).toBe(200);
    expect(manager.body.stages[0]).toMatchObject({ approvers: [{ id: bob, userPrincipalName: 'bob@contoso.com' }], timeout: 'P14D' });

    // bob approves the Prod Ops group through the Approvers group, so a request by bob would only reach carol.
    const group = await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: bob, family: 'group', resourceId: DEMO.groups.prodOps }, 'admin');
    expect(group.body.stages[0].approvers.map((a: any) => a.id)).toEqual([carol]);
    expect(group.body.stages[0].warnings.join(' ')).toMatch(/requestor is one of the approvers/);
    expect(group.body.isEligible).toBe(false);

    expectGraphError(await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: alice, family: 'directoryRole', resourceId: DEMO.roles.userAdministrator }, 'dave'), 'ACCESS_DENIED');
    expectGraphError(await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: alice, family: 'directoryRole', resourceId: '11111111-1111-1111-1111-111111111111' }, 'admin'), 'TARGET_NOT_FOUND');
    expectGraphError(await signoff.api.post(`${SIGNOFF_POLICIES}/simulate`, { requestorId: alice, family: 'accessPackage', resourceId: DEMO.accessPackages.contractorAccess }, 'admin'), 'INVALID_REQUEST');
    expect((await signoff.api.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice')).body.value).toEqual([]);
  });

  it("updates an access package assignment policy's approval stages the Graph way, up to three", async () => {
    const path = `/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/${DEMO.accessPackagePolicies.contractorAccess}`;
    const emStage = (userId: string) => ({
      durationBeforeAutomaticDenial: 'P7D', isApproverJustificationRequired: false, isEscalationEnabled: false, durationBeforeEscalation: 'PT0S',
      primaryApprovers: [user(userId)], fallbackPrimaryApprovers: [], escalationApprovers: [], fallbackEscalationApprovers: [],
    });
    const body = (stages: object[]) => ({
      displayName: 'Contractor Access policy', description: 'ignored fields are accepted', allowedTargetScope: 'allMemberUsers',
      requestApprovalSettings: { isApprovalRequiredForAdd: true, isApprovalRequiredForUpdate: false, isRequestorJustificationRequired: true, stages },
    });
    expectGraphError(await signoff.api.call('PUT', path, { as: 'bob', body: body([emStage(bob)]) }), 'ACCESS_DENIED');
    const three = await signoff.api.call('PUT', path, { as: 'admin', body: body([emStage(bob), emStage(carol), emStage(dave)]) });
    expect(three.status, three.text).toBe(200);
    expect(three.body.requestApprovalSettings.stages.map((s: any) => [s.primaryApprovers[0].userId, s.durationBeforeAutomaticDenial])).toEqual([[bob, 'P7D'], [carol, 'P7D'], [dave, 'P7D']]);
    const four = await signoff.api.call('PUT', path, { as: 'admin', body: body([emStage(bob), emStage(carol), emStage(dave), emStage(bob)]) });
    expectGraphError(four, 'INVALID_POLICY');
    expect(four.body.error.message).toMatch(/At most 3 approval stages/);
    const stored = (await signoff.api.get(`${SIGNOFF_POLICIES}/${DEMO.accessPackagePolicies.contractorAccess}`, 'admin')).body;
    expect(stored).toMatchObject({ version: 2, approval: { mode: 'Serial' } });
    expect(stored.approval.stages.map((s: any) => s.timeoutMinutes)).toEqual([10080, 10080, 10080]);
  });
});
