import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const ROLES = '/beta/roleManagement/directory';
const GROUPS = '/beta/identityGovernance/privilegedAccess/group';
const USER_ADMIN_POLICY = 'Directory_18bd2cb8-d6cb-4571-9eb7-b58536c809b6_477041d4-49df-4a2e-80ea-df5ead16277e';
const { alice, carol, dave } = DEMO.users;
const { userAdministrator, securityAdministrator } = DEMO.roles;
const HOUR = 3_600_000;

const roleEligibility = (action: string, principalId: string, roleDefinitionId: string, extra: Record<string, unknown> = {}) => ({
  action, principalId, roleDefinitionId, directoryScopeId: '/', justification: 'Joins the on-call rota', ...extra,
});
const hours = (n: number) => ({ startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: `PT${n}H` } });

describe.each(testStores())('access lifecycle through Graph (%s store)', (store) => {
  const signoff = useTestServer({ store });

  async function approveAll(approvals: string, approvalId: string, as = 'bob') {
    const steps = await signoff.api.get(`${approvals}/${approvalId}/steps`, as);
    expect(steps.status, steps.text).toBe(200);
    const open = steps.body.value.find((s: any) => s.status === 'InProgress');
    const res = await signoff.api.patch(`${approvals}/${approvalId}/steps/${open.id}`, { reviewResult: 'Approve', justification: 'Looks right' }, as);
    expect(res.status, res.text).toBe(204);
  }
  const roleInstances = async (principalId: string, roleId: string, as = 'admin') => {
    const filter = encodeURIComponent(`principalId eq '${principalId}' and roleDefinitionId eq '${roleId}'`);
    const res = await signoff.api.get(`${ROLES}/roleAssignmentScheduleInstances?$filter=${filter}`, as);
    expect(res.status, res.text).toBe(200);
    return res.body.value as any[];
  };
  const activateAs = (user: string, principalId: string, role: string, overrides: Record<string, unknown> = {}) =>
    signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, activationBody(role, principalId, overrides), user);

  it('takes an eligibility from admin assignment through activation, approval and deactivation to removal', async () => {
    expectGraphError(await activateAs('dave', dave, userAdministrator), 'NOT_ELIGIBLE');
    expectGraphError(await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminAssign', dave, userAdministrator), 'dave'), 'ACCESS_DENIED');

    const made = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminAssign', dave, userAdministrator), 'admin');
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ action: 'adminAssign', status: 'Provisioned', principalId: dave, roleDefinitionId: userAdministrator });
    const schedules = await signoff.api.get(`${ROLES}/roleEligibilitySchedules`, 'dave');
    expect(schedules.body.value).toEqual([expect.objectContaining({ id: made.body.targetScheduleId, createdUsing: made.body.id, principalId: dave })]);
    const instances = await signoff.api.get(`${ROLES}/roleEligibilityScheduleInstances`, 'dave');
    expect(instances.body.value.map((i: any) => i.roleDefinitionId)).toEqual([userAdministrator]);
    const mine = await signoff.api.get(`${ROLES}/roleEligibilityScheduleRequests/filterByCurrentUser(on='principal')`, 'dave');
    expect(mine.body.value.map((r: any) => r.id)).toEqual([made.body.id]);
    expectGraphError(await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminAssign', dave, userAdministrator), 'admin'), 'ASSIGNMENT_EXISTS');

    const activation = await activateAs('dave', dave, userAdministrator);
    expect(activation.status, activation.text).toBe(201);
    expect(activation.body.status).toBe('PendingApproval');
    await approveAll(`${ROLES}/roleAssignmentApprovals`, activation.body.approvalId);
    expect((await signoff.api.get(`${ROLES}/roleAssignmentScheduleRequests/${activation.body.id}`, 'dave')).body.status).toBe('Provisioned');
    expect(await roleInstances(dave, userAdministrator, 'dave')).toHaveLength(1);
    expect(await roleInstances(alice, userAdministrator)).toHaveLength(0);

    const deactivate = await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, { action: 'selfDeactivate', principalId: dave, roleDefinitionId: userAdministrator, directoryScopeId: '/' }, 'dave');
    expect(deactivate.status, deactivate.text).toBe(201);
    expect(deactivate.body).toMatchObject({ action: 'selfDeactivate', status: 'Revoked' });
    expect(await roleInstances(dave, userAdministrator)).toHaveLength(0);
    expectGraphError(await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, { action: 'selfDeactivate', principalId: dave, roleDefinitionId: userAdministrator, directoryScopeId: '/' }, 'dave'), 'ASSIGNMENT_NOT_FOUND');

    const removed = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminRemove', dave, userAdministrator), 'admin');
    expect(removed.status, removed.text).toBe(201);
    expect(removed.body.status).toBe('Revoked');
    expect((await signoff.api.get(`${ROLES}/roleEligibilitySchedules`, 'dave')).body.value).toEqual([]);
    expectGraphError(await activateAs('dave', dave, userAdministrator), 'NOT_ELIGIBLE');

    const audit = await signoff.api.get(`/signoff/v1/audit?target=${made.body.targetScheduleId}`, 'admin');
    expect(audit.body.value.map((e: any) => e.action)).toEqual(expect.arrayContaining(['eligibility.created', 'eligibility.removed']));
    const ended = await signoff.api.get(`/signoff/v1/audit?requestId=${deactivate.body.id}&action=assignment.ended`, 'admin');
    expect(ended.body.value).toEqual([expect.objectContaining({ actorId: dave, after: expect.objectContaining({ reason: 'deactivated' }) })]);
  });

  it('updates and extends an eligibility only within the rules', async () => {
    const made = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminAssign', dave, securityAdministrator, { scheduleInfo: hours(24 * 30) }), 'admin');
    expect(made.status, made.text).toBe(201);
    // Thirty days out is outside the 14-day window in which an eligibility may be extended.
    const early = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminExtend', dave, securityAdministrator, { scheduleInfo: hours(24 * 60) }), 'admin');
    expectGraphError(early, 'INVALID_REQUEST');
    const updated = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminUpdate', dave, securityAdministrator, { scheduleInfo: hours(24 * 10) }), 'admin');
    expect(updated.status, updated.text).toBe(201);
    const extended = await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminExtend', dave, securityAdministrator, { scheduleInfo: hours(24 * 40) }), 'admin');
    expect(extended.status, extended.text).toBe(201);
    const [schedule] = (await signoff.api.get(`${ROLES}/roleEligibilitySchedules?$filter=${encodeURIComponent(`roleDefinitionId eq '${securityAdministrator}'`)}`, 'dave')).body.value;
    expect(Date.parse(schedule.scheduleInfo.expiration.endDateTime) - Date.now()).toBeGreaterThan(39 * 24 * HOUR);
    expect(schedule.id).toBe(made.body.targetScheduleId);
    await signoff.api.post(`${ROLES}/roleEligibilityScheduleRequests`, roleEligibility('adminRemove', dave, securityAdministrator), 'admin');
  });

  it('refuses an activation longer than the policy allows, naming the rule', async () => {
    const res = await activateAs('alice', alice, securityAdministrator, { scheduleInfo: hours(9) });
    expectGraphError(res, 'POLICY_VALIDATION_FAILED');
    expect(res.body.error.message).toContain('ExpirationRule');
  });

  it('cancels a pending request once (204), then answers 400', async () => {
    const pending = await activateAs('alice', alice, securityAdministrator);
    expect(pending.body.status).toBe('PendingApproval');
    const cancel = await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests/${pending.body.id}/cancel`, undefined, 'alice');
    expect(cancel.status, cancel.text).toBe(204);
    expect((await signoff.api.get(`${ROLES}/roleAssignmentScheduleRequests/${pending.body.id}`, 'alice')).body.status).toBe('Canceled');
    expectGraphError(await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests/${pending.body.id}/cancel`, undefined, 'alice'), 'NOT_CANCELABLE');
  });

  it('lets administrators assign and remove active access without approval, and nobody else', async () => {
    const body = (action: string) => ({ action, principalId: carol, roleDefinitionId: userAdministrator, directoryScopeId: '/', justification: 'Covering for bob', scheduleInfo: hours(2) });
    expectGraphError(await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, body('adminAssign'), 'carol'), 'ACCESS_DENIED');
    const assigned = await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, body('adminAssign'), 'admin');
    expect(assigned.status, assigned.text).toBe(201);
    expect(assigned.body).toMatchObject({ action: 'adminAssign', status: 'Provisioned', approvalId: null });
    const [instance] = await roleInstances(carol, userAdministrator, 'carol');
    expect(instance).toMatchObject({ principalId: carol, roleDefinitionId: userAdministrator });
    const schedules = await signoff.api.get(`${ROLES}/roleAssignmentSchedules?$filter=${encodeURIComponent(`principalId eq '${carol}'`)}`, 'admin');
    expect(schedules.body.value.map((s: any) => s.roleDefinitionId)).toContain(userAdministrator);
    expectGraphError(await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, body('adminRemove'), 'carol'), 'ACCESS_DENIED');
    const removed = await signoff.api.post(`${ROLES}/roleAssignmentScheduleRequests`, body('adminRemove'), 'admin');
    expect(removed.status, removed.text).toBe(201);
    expect(removed.body.status).toBe('Revoked');
    expect(await roleInstances(carol, userAdministrator)).toHaveLength(0);
  });

  it('extends near expiry through approval when the policy says so, then renews after it ended', async () => {
    const rule = await signoff.api.patch(`/beta/policies/roleManagementPolicies/${USER_ADMIN_POLICY}/rules/Approval_EndUser_Assignment`, {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule', setting: { isApprovalRequiredForExtension: true },
    }, 'admin');
    expect(rule.status, rule.text).toBeLessThan(300);
    const activation = await activateAs('alice', alice, userAdministrator);
    await approveAll(`${ROLES}/roleAssignmentApprovals`, activation.body.approvalId);
    const [before] = await roleInstances(alice, userAdministrator);

    const shorter = await activateAs('alice', alice, userAdministrator, { action: 'selfExtend', scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT30M' } } });
    expectGraphError(shorter, 'INVALID_SCHEDULE');
    const extend = await activateAs('alice', alice, userAdministrator, { action: 'selfExtend', scheduleInfo: hours(4) });
    expect(extend.status, extend.text).toBe(201);
    expect(extend.body).toMatchObject({ action: 'selfExtend', status: 'PendingApproval' });
    expect((await roleInstances(alice, userAdministrator))[0].endDateTime).toBe(before.endDateTime);
    await approveAll(`${ROLES}/roleAssignmentApprovals`, extend.body.approvalId);
    const after = await roleInstances(alice, userAdministrator);
    expect(after).toHaveLength(1);
    expect(Date.parse(after[0].endDateTime) - Date.parse(before.endDateTime)).toBeGreaterThan(2 * HOUR);

    expectGraphError(await activateAs('alice', alice, userAdministrator, { action: 'selfRenew' }), 'ASSIGNMENT_EXISTS');
    signoff.server.clock.advance(5 * HOUR);
    await signoff.server.running.timers.runNow();
    expect(await roleInstances(alice, userAdministrator)).toHaveLength(0);
    const renew = await activateAs('alice', alice, userAdministrator, { action: 'selfRenew', scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } } });
    expect(renew.status, renew.text).toBe(201);
    expect(renew.body.status).toBe('PendingApproval');
    await approveAll(`${ROLES}/roleAssignmentApprovals`, renew.body.approvalId);
    expect(await roleInstances(alice, userAdministrator)).toHaveLength(1);
    expectGraphError(await activateAs('dave', dave, securityAdministrator, { action: 'selfRenew' }), 'ASSIGNMENT_NOT_FOUND');
  });

  it('does the same for PIM for groups: eligibility, activation, schedules, deactivation', async () => {
    const group = DEMO.groups.prodOps;
    const eligibility = { action: 'adminAssign', principalId: dave, groupId: group, accessId: 'member', justification: 'On-call' };
    expectGraphError(await signoff.api.post(`${GROUPS}/eligibilityScheduleRequests`, eligibility, 'dave'), 'ACCESS_DENIED');
    const made = await signoff.api.post(`${GROUPS}/eligibilityScheduleRequests`, eligibility, 'admin');
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ status: 'Provisioned', groupId: group, accessId: 'member' });
    expect((await signoff.api.get(`${GROUPS}/eligibilitySchedules`, 'dave')).body.value).toEqual([expect.objectContaining({ groupId: group, principalId: dave })]);
    expect((await signoff.api.get(`${GROUPS}/eligibilityScheduleInstances`, 'dave')).body.value).toHaveLength(1);

    const activation = await signoff.api.post(`${GROUPS}/assignmentScheduleRequests`, {
      action: 'selfActivate', principalId: dave, groupId: group, accessId: 'member', justification: 'Deploy', scheduleInfo: hours(1),
    }, 'dave');
    expect(activation.status, activation.text).toBe(201);
    await approveAll(`${GROUPS}/assignmentApprovals`, activation.body.approvalId);
    const filter = encodeURIComponent(`principalId eq '${dave}' and groupId eq '${group}'`);
    expect((await signoff.api.get(`${GROUPS}/assignmentSchedules?$filter=${filter}`, 'admin')).body.value).toHaveLength(1);
    const deactivate = await signoff.api.post(`${GROUPS}/assignmentScheduleRequests`, { action: 'selfDeactivate', principalId: dave, groupId: group, accessId: 'member' }, 'dave');
    expect(deactivate.status, deactivate.text).toBe(201);
    expect(deactivate.body.status).toBe('Revoked');
    expect((await signoff.api.get(`${GROUPS}/assignmentScheduleInstances?$filter=${filter}`, 'admin')).body.value).toHaveLength(0);
  });

  it('seeds the demo eligibilities through the eligibility requests', async () => {
    const res = await signoff.api.get(`${ROLES}/roleEligibilitySchedules?$filter=${encodeURIComponent(`principalId eq '${alice}'`)}`, 'admin');
    expect(res.body.value.map((s: any) => s.roleDefinitionId).sort()).toEqual([securityAdministrator, userAdministrator].sort());
    expect(res.body.value.every((s: any) => typeof s.createdUsing === 'string')).toBe(true);
  });
});
