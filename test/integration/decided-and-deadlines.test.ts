import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const DECIDED = '/signoff/v1/approvals/decided';
const DAY = 86_400_000;

describe.each(testStores())('what an approver sees beyond Graph: deadlines, approvers, decided history (%s store)', (store) => {
  const signoff = useTestServer({ store });
  const ids: Record<string, { id: string; stepId: string }> = {};

  beforeAll(async () => {
    for (const role of [DEMO.roles.userAdministrator, DEMO.roles.securityAdministrator]) {
      const created = (await signoff.api.post(REQUESTS, activationBody(role, DEMO.users.alice), 'alice')).body;
      const [step] = (await signoff.api.get(`${APPROVALS}/${created.id}/steps`, 'bob')).body.value;
      ids[role] = { id: created.id, stepId: step.id };
    }
  });

  it('annotates a started step with its deadlines and who may decide it; Graph fields are unchanged', async () => {
    const { id, stepId } = ids[DEMO.roles.securityAdministrator]!;
    const steps = (await signoff.api.get(`${APPROVALS}/${id}/steps`, 'bob')).body.value;
    const started = Date.parse(steps[0]['@signoff.startedDateTime']);
    expect(Date.parse(steps[0]['@signoff.expirationDateTime']) - started).toBe(DAY);
    expect(steps[0]['@signoff.escalationDateTime']).toBeNull();
    expect(steps[0]['@signoff.approvers']).toEqual([{ id: DEMO.users.bob, displayName: 'Bob Approver' }]);
    expect(steps[0]).toMatchObject({ id: stepId, status: 'InProgress', assignedToMe: true });
    // A stage that has not started has no deadlines yet.
    expect(Object.keys(steps[1]).filter((k) => k.startsWith('@signoff.'))).toEqual([]);
  });

  it('lists the stages the caller decided, newest first, filtered by result and paged', async () => {
    const ua = ids[DEMO.roles.userAdministrator]!;
    const sa = ids[DEMO.roles.securityAdministrator]!;
    expect((await signoff.api.patch(`${APPROVALS}/${ua.id}/steps/${ua.stepId}`, { reviewResult: 'Deny', justification: 'not needed' }, 'bob')).status).toBe(204);
    signoff.server.clock.advance(1000);
    expect((await signoff.api.patch(`${APPROVALS}/${sa.id}/steps/${sa.stepId}`, { reviewResult: 'Approve', justification: 'on call' }, 'bob')).status).toBe(204);

    const all = await signoff.api.get(DECIDED, 'bob');
    expect(all.status).toBe(200);
    expect(all.body.value.map((d: any) => [d.family, d.approvalId, d.reviewResult, d.stageNumber])).toEqual([
      ['directoryRole', sa.id, 'Approved', 1],
      ['directoryRole', ua.id, 'Denied', 1],
    ]);
    expect(all.body.value[1]).toMatchObject({ stepId: ua.stepId, justification: 'not needed' });

    const denied = await signoff.api.get(`${DECIDED}?result=Deny`, 'bob');
    expect(denied.body.value.map((d: any) => d.approvalId)).toEqual([ua.id]);

    const first = await signoff.api.get(`${DECIDED}?$top=1`, 'bob');
    expect(first.body.value.map((d: any) => d.approvalId)).toEqual([sa.id]);
    const next = new URL(first.body['@odata.nextLink']);
    const second = await signoff.api.get(`${next.pathname}${next.search}`, 'bob');
    expect(second.body.value.map((d: any) => d.approvalId)).toEqual([ua.id]);
    expect(second.body['@odata.nextLink']).toBeUndefined();

    expect((await signoff.api.get(DECIDED, 'carol')).body.value).toEqual([]);
    expect((await signoff.api.get(`${DECIDED}?result=Maybe`, 'bob')).status).toBe(400);
    expect((await signoff.api.call('GET', DECIDED)).status).toBe(401);
  });
});
