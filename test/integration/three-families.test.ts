import { describe, expect, it } from 'vitest';
import { DEMO, type DemoUser } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import { Api, type ApiResponse, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { type StoreKind, type TestServer, startTestServer, testStores } from '../support/test-server.js';
import { useWiderTenantServer } from '../support/wider-tenant.js';

const { alice, carol, dave } = DEMO.users;
const ROLE_REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const GROUP_REQUESTS = '/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests';
const EM_REQUESTS = '/beta/identityGovernance/entitlementManagement/accessPackageAssignmentRequests';
const EM_REQUESTS_V1 = '/v1.0/identityGovernance/entitlementManagement/assignmentRequests';
const GROUP_APPROVALS = '/identityGovernance/privilegedAccess/group/assignmentApprovals';
const EM_APPROVALS = '/identityGovernance/entitlementManagement/accessPackageAssignmentApprovals';

const schedule = (duration = 'PT1H') => ({ startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration } });
const JUSTIFICATION = 'Needed for incident INC-1234';

/** One approval family as its Graph requests and approvals collections (beta) speak it. */
interface FamilyCase {
  readonly name: string;
  readonly requests: string;
  readonly approvals: string;
  body(principalId: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Where the body carries its schedule: `scheduleInfo` for PIM, `schedule` for entitlement management. */
  readonly scheduleField: string;
  /** The request's lifecycle field: `status` for PIM, `requestState` for entitlement management. */
  readonly statusField: string;
  readonly pending: string;
  readonly granted: string;
  readonly denied: string;
  readonly canceled: string;
}

const FAMILIES: readonly FamilyCase[] = [
  {
    name: 'PIM for roles (User Administrator, approver bob)',
    requests: ROLE_REQUESTS,
    approvals: '/beta/roleManagement/directory/roleAssignmentApprovals',
    body: (principalId, overrides = {}) => activationBody(DEMO.roles.userAdministrator, principalId, { justification: JUSTIFICATION, ...overrides }),
    scheduleField: 'scheduleInfo',
    statusField: 'status', pending: 'PendingApproval', granted: 'Provisioned', denied: 'Denied', canceled: 'Canceled',
  },
  {
    name: 'PIM for groups (Prod Ops member, approvers = group Approvers)',
    requests: GROUP_REQUESTS,
    approvals: `/beta${GROUP_APPROVALS}`,
    body: (principalId, overrides = {}) => ({
      accessId: 'member', principalId, groupId: DEMO.groups.prodOps, action: 'selfActivate', justification: JUSTIFICATION, scheduleInfo: schedule(), ...overrides,
    }),
    scheduleField: 'scheduleInfo',
    statusField: 'status', pending: 'PendingApproval', granted: 'Provisioned', denied: 'Denied', canceled: 'Canceled',
  },
  {
    name: "entitlement management (Contractor Access, approver = requestor's manager)",
    requests: EM_REQUESTS,
    approvals: `/beta${EM_APPROVALS}`,
    body: (principalId, overrides = {}) => ({
      requestType: 'UserAdd',
      accessPackageAssignment: { targetId: principalId, assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess, accessPackageId: DEMO.accessPackages.contractorAccess },
      justification: JUSTIFICATION, schedule: schedule('P30D'), ...overrides,
    }),
    scheduleField: 'schedule',
    statusField: 'requestState', pending: 'PendingApproval', granted: 'Delivered', denied: 'Denied', canceled: 'Canceled',
  },
];

describe.each(testStores())('three approval families on one engine (%s store)', (store: StoreKind) => {
  const signoff = useTestServer({ store });

  /** A server of its own, for a test whose assignments would change what the others see. */
  async function onFreshServer(fn: (a: Api, fresh: TestServer) => Promise<void>): Promise<void> {
    const fresh = await startTestServer({ store });
    try {
      await fn(new Api(fresh.url), fresh);
    } finally {
      await fresh.destroy();
    }
  }

  async function submit(family: FamilyCase, as: DemoUser = 'alice', overrides: Record<string, unknown> = {}, a: Api = signoff.api) {
    const res = await a.post(family.requests, family.body(DEMO.users[as], overrides), as);
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  it.each(FAMILIES)('$name: approve / deny / 409 / 403 / 404 / self-approval / missing justification', async (family) => {
    const decide = (approvalId: string, stepId: string, as: DemoUser, body: object) => signoff.api.patch(`${family.approvals}/${approvalId}/steps/${stepId}`, body, as);
    const statusOf = async (id: string) => (await signoff.api.get(`${family.requests}/${id}`, 'alice')).body[family.statusField];

    // The requestor's own justification is a policy rule in all three.
    expectGraphError(await signoff.api.post(family.requests, family.body(alice, { justification: '' }), 'alice'), 'POLICY_VALIDATION_FAILED');
    // Only an eligible principal may ask, and only for themselves.
    expectGraphError(await signoff.api.post(family.requests, family.body(dave), 'dave'), 'NOT_ELIGIBLE');
    expectGraphError(await signoff.api.post(family.requests, family.body(alice), 'bob'), 'NOT_OWN_REQUEST');

    // First request: every refusal leaves it pending, then bob denies it.
    const first = await submit(family);
    expect(first[family.statusField]).toBe(family.pending);
    expectGraphError(await signoff.api.post(family.requests, family.body(alice), 'alice'), 'PENDING_REQUEST_EXISTS');
    const approval = await signoff.api.get(`${family.approvals}/${first.id}`, 'bob');
    expect(approval.status, approval.text).toBe(200);
    expect(approval.body.id).toBe(first.id);
    const [step] = approval.body.steps;
    expect(step).toMatchObject({ status: 'InProgress', reviewResult: 'NotReviewed', assignedToMe: true });
    expect((await signoff.api.get(`${family.approvals}/${first.id}/steps/${step.id}`, 'alice')).body.assignedToMe).toBe(false);
    const inbox = await signoff.api.get(`${family.approvals}/filterByCurrentUser(on='approver')`, 'bob');
    expect(inbox.body.value.map((a: { id: string }) => a.id)).toContain(first.id);

    expectGraphError(await decide(first.id, step.id, 'dave', { reviewResult: 'Approve', justification: 'me too' }), 'NOT_AN_APPROVER');
    expectGraphError(await decide(first.id, step.id, 'alice', { reviewResult: 'Approve', justification: 'mine' }), 'SELF_APPROVAL');
    expectGraphError(await decide('00000000-0000-0000-0000-00000000dead', step.id, 'bob', { reviewResult: 'Approve', justification: 'x' }), 'APPROVAL_NOT_FOUND');
    expectGraphError(await decide(first.id, '00000000-0000-0000-0000-00000000beef', 'bob', { reviewResult: 'Approve', justification: 'x' }), 'STEP_NOT_FOUND');
    expectGraphError(await decide(first.id, step.id, 'bob', { reviewResult: 'Approve' }), 'JUSTIFICATION_REQUIRED');
    expectGraphError(await signoff.api.get(`${family.approvals}/${first.id}`, 'dave'), 'ACCESS_DENIED');
    expect(await statusOf(first.id)).toBe(family.pending);

    expect((await decide(first.id, step.id, 'bob', { reviewResult: 'Deny', justification: 'Not this week' })).status).toBe(204);
    expect(await statusOf(first.id)).toBe(family.denied);
    expect((await signoff.api.get(`${family.approvals}/${first.id}/steps/${step.id}`, 'bob')).body).toMatchObject({ status: 'Completed', reviewResult: 'Denied', justification: 'Not this week' });
    expectGraphError(await decide(first.id, step.id, 'bob', { reviewResult: 'Approve', justification: 'changed my mind' }), 'STEP_ALREADY_DECIDED');
    const inboxAfter = await signoff.api.get(`${family.approvals}/filterByCurrentUser(on='approver')`, 'bob');
    expect(inboxAfter.body.value.map((a: { id: string }) => a.id)).not.toContain(first.id);

    // Second request: bob approves, which grants (PIM) or delivers (entitlement management).
    const second = await submit(family);
    const [step2] = (await signoff.api.get(`${family.approvals}/${second.id}/steps`, 'bob')).body.value;
    expect((await decide(second.id, step2.id, 'bob', { reviewResult: 'Approve', justification: 'Confirmed with the team' })).status).toBe(204);
    expect(await statusOf(second.id)).toBe(family.granted);
    expectGraphError(await decide(second.id, step2.id, 'bob', { reviewResult: 'Deny', justification: 'too late' }), 'STEP_ALREADY_DECIDED');
    expectGraphError(await signoff.api.post(family.requests, family.body(alice), 'alice'), 'ASSIGNMENT_EXISTS');
  });

  it('refuses, in every family, a schedule that would end past 9999 or names a day its month does not have, and creates nothing', async () => {
    const duration = (d: string) => ({ startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: d } });
    const refused = [
      duration('P99999999D'),
      duration('PT9999999999999H'),
      duration('PT999999999999999M'),
      duration('PT99999999999999999999H'),
      { startDateTime: '9999-12-31T23:30:00Z', expiration: { type: 'afterDuration', duration: 'PT1H' } },
      { startDateTime: '2027-02-30T00:00:00Z', expiration: { type: 'afterDuration', duration: 'PT1H' } },
      { startDateTime: new Date().toISOString(), expiration: { type: 'afterDateTime', endDateTime: '2027-04-31T00:00:00Z' } },
    ];
    await onFreshServer(async (a) => {
      for (const family of FAMILIES) {
        for (const scheduled of refused) {
          const res = await a.post(family.requests, family.body(alice, { [family.scheduleField]: scheduled }), 'alice');
          expectGraphError(res, 'INVALID_SCHEDULE');
        }
        // Nothing was left behind: the same request with a sane schedule goes through.
        expect((await a.post(family.requests, family.body(alice), 'alice')).status).toBe(201);
      }
      const validationOnly = await a.post(ROLE_REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice, { isValidationOnly: true, scheduleInfo: duration('P99999999D') }), 'alice');
      expectGraphError(validationOnly, 'INVALID_SCHEDULE');
    });
  });

  it('PIM for groups: an approved membership makes alice a member of Prod Ops until it ends', async () => {
    await onFreshServer(async (a, fresh) => {
      const eligible = await a.get('/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances', 'alice');
      expect(eligible.body.value).toEqual([expect.objectContaining({ principalId: alice, groupId: DEMO.groups.prodOps, accessId: 'member', memberType: 'direct' })]);

      const created = await submit(FAMILIES[1]!, 'alice', {}, a);
      expect(created).toMatchObject({ accessId: 'member', groupId: DEMO.groups.prodOps, principalId: alice, action: 'selfActivate', approvalId: created.id });
      // v1.0 names the steps `stages`; the decision path accepts both.
      const stages = await a.get(`/v1.0${GROUP_APPROVALS}/${created.id}/stages`, 'carol');
      expect(stages.body.value[0]).toMatchObject({ assignedToMe: true, status: 'InProgress' });
      expect((await a.patch(`/v1.0${GROUP_APPROVALS}/${created.id}/stages/${stages.body.value[0].id}`, { reviewResult: 'Approve', justification: 'ok' }, 'carol')).status).toBe(204);
      expect((await a.get(`/v1.0${GROUP_APPROVALS}/${created.id}/stages`, 'carol')).body.value[0].reviewedBy).toMatchObject({ id: carol });

      const v1 = await a.get(`/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/${created.id}`, 'alice');
      expect(v1.body).toMatchObject({ status: 'Provisioned', groupId: DEMO.groups.prodOps });
      const membersNow = (await a.get(`/v1.0/groups/${DEMO.groups.prodOps}/members`, 'alice')).body.value.map((u: { id: string }) => u.id);
      expect(membersNow).toEqual([alice]);
      const active = await a.get(`/beta/identityGovernance/privilegedAccess/group/assignmentScheduleInstances?$filter=groupId eq '${DEMO.groups.prodOps}'`, 'alice');
      expect(active.body.value).toEqual([expect.objectContaining({ principalId: alice, accessId: 'member', assignmentType: 'activated', assignmentScheduleId: created.id })]);

      // The membership ends with its schedule: one hour later the timers end it.
      fresh.clock.advance(61 * 60_000);
      await fresh.running.timers.runNow();
      expect((await a.get(`/v1.0/groups/${DEMO.groups.prodOps}/members`, 'alice')).body.value).toEqual([]);
      expect((await a.get('/beta/identityGovernance/privilegedAccess/group/assignmentScheduleInstances', 'alice')).body.value).toEqual([]);
    });
  });

  it('approvers are resolved when the stage starts: a later group or manager change cannot let a newcomer decide', async () => {
    await onFreshServer(async (a) => {
      const group = await submit(FAMILIES[1]!, 'alice', {}, a);
      const em = await submit(FAMILIES[2]!, 'alice', {}, a);

      // dave joins Approvers and becomes alice's manager after both stages started.
      const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
      expect((await a.post(`/v1.0/groups/${DEMO.groups.approvers}/members/$ref`, ref(dave), 'admin')).status).toBe(204);
      expect((await a.call('PUT', `/v1.0/users/${alice}/manager/$ref`, { as: 'admin', body: ref(dave) })).status).toBe(204);

      for (const [family, created] of [[FAMILIES[1]!, group], [FAMILIES[2]!, em]] as const) {
        const [step] = (await a.get(`${family.approvals}/${created.id}/steps`, 'alice')).body.value;
        expectGraphError(await a.patch(`${family.approvals}/${created.id}/steps/${step.id}`, { reviewResult: 'Approve', justification: 'new here' }, 'dave'), 'NOT_AN_APPROVER');
        expect((await a.get(`${family.approvals}/filterByCurrentUser(on='approver')`, 'dave')).body.value).toEqual([]);
        expect((await a.patch(`${family.approvals}/${created.id}/steps/${step.id}`, { reviewResult: 'Approve', justification: 'still mine' }, 'bob')).status).toBe(204);
      }
      expect((await a.get(`${GROUP_REQUESTS}/${group.id}`, 'alice')).body.status).toBe('Provisioned');
      expect((await a.get(`${EM_REQUESTS}/${em.id}`, 'alice')).body.requestState).toBe('Delivered');
    });
  });

  it('entitlement management: catalogs, packages and policies read in beta and v1.0 shapes', async () => {
    const catalogs = await signoff.api.get('/beta/identityGovernance/entitlementManagement/accessPackageCatalogs', 'alice');
    expect(catalogs.body.value).toEqual([expect.objectContaining({ id: DEMO.catalogs.general, displayName: 'General', catalogType: 'UserManaged', catalogStatus: 'Published' })]);
    const catalogV1 = await signoff.api.get(`/v1.0/identityGovernance/entitlementManagement/catalogs/${DEMO.catalogs.general}`, 'alice');
    expect(catalogV1.body).toMatchObject({ id: DEMO.catalogs.general, state: 'published', catalogType: 'userManaged' });
    expect(catalogV1.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#identityGovernance\/entitlementManagement\/catalogs\/\$entity$/);

    const pkg = await signoff.api.get(`/beta/identityGovernance/entitlementManagement/accessPackages/${DEMO.accessPackages.contractorAccess}`, 'alice');
    expect(pkg.body).toMatchObject({ id: DEMO.accessPackages.contractorAccess, displayName: 'Contractor Access', catalogId: DEMO.catalogs.general });
    const packages = await signoff.api.get(`/v1.0/identityGovernance/entitlementManagement/accessPackages?$filter=displayName eq 'Contractor Access'`, 'alice');
    expect(packages.body.value.map((p: { id: string }) => p.id)).toEqual([DEMO.accessPackages.contractorAccess]);
    expectGraphError(await signoff.api.get('/v1.0/identityGovernance/entitlementManagement/accessPackages/00000000-0000-0000-0000-000000000404', 'alice'), 'TARGET_NOT_FOUND');

    const beta = await signoff.api.get(`/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies/${DEMO.accessPackagePolicies.contractorAccess}`, 'alice');
    expect(beta.body).toMatchObject({ accessPackageId: DEMO.accessPackages.contractorAccess, requestApprovalSettings: { isApprovalRequired: true, approvalMode: 'SingleStage' } });
    expect(beta.body.requestApprovalSettings.approvalStages).toEqual([expect.objectContaining({
      approvalStageTimeOutInDays: 14, isApproverJustificationRequired: true, primaryApprovers: [expect.objectContaining({ '@odata.type': '#microsoft.graph.requestorManager', managerLevel: 1 })],
    })]);
    const v1 = await signoff.api.get(`/v1.0/identityGovernance/entitlementManagement/assignmentPolicies?$filter=accessPackage/id eq '${DEMO.accessPackages.contractorAccess}'`, 'alice');
    expect(v1.body.value).toEqual([expect.objectContaining({
      id: DEMO.accessPackagePolicies.contractorAccess,
      requestApprovalSettings: expect.objectContaining({ isApprovalRequiredForAdd: true, stages: [expect.objectContaining({ durationBeforeAutomaticDenial: 'P14D', isApproverJustificationRequired: true })] }),
    })]);
    expect(v1.body.value[0].accessPackage).toBeUndefined();
    expect((await signoff.api.get("/v1.0/identityGovernance/entitlementManagement/assignmentPolicies?$filter=accessPackage/id eq 'elsewhere'", 'alice')).body.value).toEqual([]);
    const inCatalog = await signoff.api.get(`/v1.0/identityGovernance/entitlementManagement/accessPackages?$filter=catalog/id eq '${DEMO.catalogs.general}'&$expand=catalog`, 'alice');
    expect(inCatalog.body.value).toEqual([expect.objectContaining({ id: DEMO.accessPackages.contractorAccess, catalog: { id: DEMO.catalogs.general } })]);
  });

  it('entitlement management: request state follows the engine in beta and v1.0, and delivered packages are listed', async () => {
    await onFreshServer(async (a) => {
      const v1Body = { requestType: 'userAdd', assignment: { assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess, accessPackageId: DEMO.accessPackages.contractorAccess }, justification: JUSTIFICATION };
      const created = await a.post(EM_REQUESTS_V1, v1Body, 'alice');
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ requestType: 'userAdd', state: 'pendingApproval', status: 'PendingApproval' });
      expect(created.body.assignment).toBeUndefined();
      const expanded = await a.get(`${EM_REQUESTS_V1}/${created.body.id}?$expand=assignment,accessPackage`, 'alice');
      expect(expanded.body).toMatchObject({ assignment: { targetId: alice, accessPackageId: DEMO.accessPackages.contractorAccess }, accessPackage: { id: DEMO.accessPackages.contractorAccess } });
      const betaView = await a.get(`${EM_REQUESTS}/${created.body.id}`, 'alice');
      expect(betaView.body).toMatchObject({ requestType: 'UserAdd', requestState: 'PendingApproval', requestStatus: 'PendingApproval', completedDate: null });

      // The approver's view of requests (v1.0) and of approvals (beta) both list it.
      const forBob = await a.get(`${EM_REQUESTS_V1}/filterByCurrentUser(on='approver')?$filter=state eq 'pendingApproval'`, 'bob');
      expect(forBob.body.value.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
      const targetMine = await a.get(`${EM_REQUESTS_V1}/filterByCurrentUser(on='target')`, 'alice');
      expect(targetMine.body.value.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
      expect((await a.get(`${EM_REQUESTS_V1}/filterByCurrentUser(on='target')`, 'bob')).body.value).toEqual([]);

      const [stage] = (await a.get(`/v1.0${EM_APPROVALS}/${created.body.id}/stages`, 'bob')).body.value;
      expect((await a.patch(`/v1.0${EM_APPROVALS}/${created.body.id}/stages/${stage.id}`, { reviewResult: 'Approve', justification: 'Contract signed' }, 'bob')).status).toBe(204);
      const delivered = await a.get(`${EM_REQUESTS_V1}/${created.body.id}`, 'alice');
      expect(delivered.body).toMatchObject({ state: 'delivered', status: 'Delivered' });
      expect(delivered.body.completedDateTime).not.toBeNull();
      expect((await a.get(`${EM_REQUESTS}/${created.body.id}`, 'alice')).body).toMatchObject({ requestState: 'Delivered', requestStatus: 'Delivered' });

      const betaAssignments = await a.get('/beta/identityGovernance/entitlementManagement/accessPackageAssignments', 'alice');
      expect(betaAssignments.body.value).toEqual([expect.objectContaining({
        targetId: alice, accessPackageId: DEMO.accessPackages.contractorAccess, assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess, catalogId: DEMO.catalogs.general, assignmentState: 'Delivered',
      })]);
      const v1Assignments = await a.get(`/v1.0/identityGovernance/entitlementManagement/assignments?$filter=accessPackage/id eq '${DEMO.accessPackages.contractorAccess}'&$expand=target`, 'alice');
      expect(v1Assignments.body.value).toEqual([expect.objectContaining({ state: 'delivered', status: 'Delivered', target: expect.objectContaining({ id: alice }) })]);
      expect(v1Assignments.body.value[0].accessPackage).toBeUndefined();
      expect((await a.get('/v1.0/identityGovernance/entitlementManagement/assignments', 'dave')).body.value).toEqual([]);

      // Only principals the policy allows may ask.
      expectGraphError(await a.post(EM_REQUESTS_V1, { ...v1Body, assignment: { ...v1Body.assignment, targetId: carol } }, 'carol'), 'NOT_ELIGIBLE');
    });
  });

  it.each(FAMILIES.slice(1))('$name: the requestor cancels a pending request, once', async (family) => {
    await onFreshServer(async (a) => {
      const created = await submit(family, 'alice', {}, a);
      expectGraphError(await a.post(`${family.requests}/${created.id}/cancel`, undefined, 'dave'), 'ACCESS_DENIED');
      expect((await a.post(`${family.requests}/${created.id}/cancel`, undefined, 'alice')).status).toBe(204);
      expect((await a.get(`${family.requests}/${created.id}`, 'alice')).body[family.statusField]).toBe(family.canceled);
      expectGraphError(await a.post(`${family.requests}/${created.id}/cancel`, undefined, 'alice'), 'NOT_CANCELABLE');
      expect((await a.get(`${family.approvals}/filterByCurrentUser(on='approver')`, 'bob')).body.value).toEqual([]);
      const [step] = (await a.get(`${family.approvals}/${created.id}/steps`, 'alice')).body.value;
      const late = await a.patch(`${family.approvals}/${created.id}/steps/${step.id}`, { reviewResult: 'Approve', justification: 'late' }, 'bob');
      expectGraphError(late, 'REQUEST_CANCELED');
      expect(late.body.error.message).toMatch(/canceled/);
      // A canceled request frees the target for a new one.
      expect((await a.post(family.requests, family.body(alice), 'alice')).status).toBe(201);
    });
  });

  it('entitlement management: an undecided request is denied when the stage times out', async () => {
    await onFreshServer(async (a, fresh) => {
      const created = await submit(FAMILIES[2]!, 'alice', {}, a);
      fresh.clock.advance(14 * 24 * 60 * 60_000 + 60_000);
      await fresh.running.timers.runNow();
      expect((await a.get(`${EM_REQUESTS}/${created.id}`, 'alice')).body).toMatchObject({ requestState: 'Denied', requestStatus: 'Denied' });
      expect((await a.get(`${EM_REQUESTS_V1}/${created.id}`, 'alice')).body).toMatchObject({ state: 'denied' });
      expect((await a.get(`/beta${EM_APPROVALS}/${created.id}/steps`, 'bob')).body.value[0]).toMatchObject({ status: 'Expired', reviewResult: 'NotReviewed' });
    });
  });

  describe('pending for me, in OData pages', () => {
    const wide = useWiderTenantServer({ store });

    it.each(FAMILIES)('$name: bob\'s approvals come in pages of top=3 linked by @odata.nextLink, each family on its own', async (family) => {
      const requestors: DemoUser[] = ['alice', 'carol', 'dave', 'admin'];
      const ids: string[] = [];
      for (const who of requestors) ids.push((await submit(family, who, {}, wide.api)).id);

      const pages: string[][] = [];
      let url: string | undefined = `${wide.server.url}${family.approvals}/filterByCurrentUser(on='approver')?$top=3`;
      for (let i = 0; url && i < 5; i++) {
        const page: ApiResponse = await wide.api.get(url.slice(wide.server.url.length), 'bob');
        expect(page.status, page.text).toBe(200);
        expect(page.body['@odata.context']).toMatch(/\$metadata#Collection\(microsoft\.graph\.approval\)$/);
        pages.push(page.body.value.map((a: { id: string }) => a.id));
        url = page.body['@odata.nextLink'];
        if (url) expect(url.startsWith(`${wide.server.url}${family.approvals}/filterByCurrentUser(on='approver')?`)).toBe(true);
      }
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
      expect(pages.flat().sort()).toEqual([...ids].sort());

      // The same inbox seen as requests, filtered on their lifecycle field.
      const byStatus = (value: string) => wide.api.get(`${family.requests}/filterByCurrentUser(on='approver')?$filter=${family.statusField} eq '${value}'&$top=10`, 'bob');
      expect((await byStatus(family.pending)).body.value.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
      expect((await byStatus(family.denied)).body.value).toEqual([]);
      const others = FAMILIES.filter((f) => f !== family);
      for (const other of others) {
        const seen = (await wide.api.get(`${other.approvals}/filterByCurrentUser(on='approver')?$top=50`, 'bob')).body.value.map((a: { id: string }) => a.id);
        for (const id of ids) expect(seen).not.toContain(id);
      }

      // Decide them all so the next family starts from an empty inbox.
      for (const id of ids) {
        const [step] = (await wide.api.get(`${family.approvals}/${id}/steps`, 'bob')).body.value;
        expect((await wide.api.patch(`${family.approvals}/${id}/steps/${step.id}`, { reviewResult: 'Deny', justification: 'paging test' }, 'bob')).status).toBe(204);
      }
      expect((await wide.api.get(`${family.approvals}/filterByCurrentUser(on='approver')`, 'bob')).body.value).toEqual([]);
    });
  });
});
