import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { expectArmError } from '../support/arm-errors.js';
import { expectGraphError } from '../support/graph-errors.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

const AUTHZ = '/providers/Microsoft.Authorization';
const V = 'api-version=2021-01-01-preview';

/** What a reviewer sends, as Graph's and ARM's bodies say it. */
const GRAPH_VERDICT = { reviewResult: 'Approve', justification: 'Checked the ticket' };
const ARM_VERDICT = { properties: GRAPH_VERDICT };

describe('decision bodies on Graph and ARM', () => {
  const signoff = useTestServer();
  /** A pending Graph step and a pending ARM stage, both bob's to decide. */
  let graphStep: string;
  let armStage: string;

  beforeAll(async () => {
    const created = await signoff.api.post('/beta/roleManagement/directory/roleAssignmentScheduleRequests', activationBody(DEMO.roles.userAdministrator, DEMO.users.alice), 'alice');
    expect(created.status, created.text).toBe(201);
    const approval = `/beta/roleManagement/directory/roleAssignmentApprovals/${created.body.id}`;
    graphStep = `${approval}/steps/${(await signoff.api.get(`${approval}/steps`, 'bob')).body.value[0].id}`;

    const name = randomUUID();
    const armRequest = await signoff.api.call('PUT', `${DEMO.azure.subscriptionScope}${AUTHZ}/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`, {
      as: 'alice',
      body: { properties: { principalId: DEMO.users.alice, roleDefinitionId: `${DEMO.azure.subscriptionScope}${AUTHZ}/roleDefinitions/${DEMO.azure.contributor}`, requestType: 'SelfActivate', justification: 'Deploy the hotfix' } },
    });
    expect(armRequest.status, armRequest.text).toBe(201);
    const stages = await signoff.api.get(`${AUTHZ}/roleAssignmentApprovals/${name}/stages?${V}`, 'bob');
    armStage = `${AUTHZ}/roleAssignmentApprovals/${name}/stages/${stages.body.value[0].name}?${V}`;
  });

  const send = (method: string, path: string, rawBody: string, contentType: string) =>
    signoff.api.call(method, path, { as: 'bob', rawBody, headers: { 'content-type': contentType } });

  it('refuses a text/plain body with 415, like any other type that is not JSON', async () => {
    expectGraphError(await send('PATCH', graphStep, JSON.stringify(GRAPH_VERDICT), 'text/plain'), 'UNSUPPORTED_MEDIA_TYPE');
    expectArmError(await send('PATCH', armStage, JSON.stringify(ARM_VERDICT), 'text/plain; charset=utf-8'), 'UNSUPPORTED_MEDIA_TYPE');
    expect((await signoff.api.get(graphStep, 'bob')).body.reviewResult).toBe('NotReviewed');
  });

  it('refuses a __proto__ or constructor.prototype key by name, not as JSON that is not valid', async () => {
    const graph = await send('PATCH', graphStep, `{"__proto__":{"isAdmin":true},${JSON.stringify(GRAPH_VERDICT).slice(1)}`, 'application/json');
    expectGraphError(graph, 'BAD_REQUEST');
    expect(graph.body.error.message).toMatch(/'__proto__' is not allowed/);
    const arm = await send('PATCH', armStage, '{"properties":{"constructor":{"prototype":{"x":1}},"reviewResult":"Approve"}}', 'application/json');
    expectArmError(arm, 'BAD_REQUEST');
    expect(arm.body.error.message).toMatch(/'properties\.constructor\.prototype' is not allowed/);
    // Bad JSON is still called that.
    expect((await send('PATCH', graphStep, '{"__proto__":', 'application/json')).body.error.message).toMatch(/not valid JSON/);
    expect((await signoff.api.get(graphStep, 'bob')).body.reviewResult).toBe('NotReviewed');
  });

  it('names an unknown property, and still refuses it', async () => {
    const graph = await signoff.api.patch(graphStep, { ...GRAPH_VERDICT, colour: 'red' }, 'bob');
    expectGraphError(graph, 'BAD_REQUEST');
    expect(graph.body.error.message).toMatch(/^Property 'colour' is not allowed in body\b/);
    const arm = await signoff.api.patch(armStage, { properties: { ...GRAPH_VERDICT, colour: 'red' } }, 'bob');
    expectArmError(arm, 'BAD_REQUEST');
    expect(arm.body.error.message).toMatch(/^Property 'colour' is not allowed in body\.properties\b/);
    expect((await signoff.api.get(graphStep, 'bob')).body.reviewResult).toBe('NotReviewed');
  });

  it('ignores what it served when a client sends it back with a verdict: read-only properties and annotations', async () => {
    const step = (await signoff.api.get(graphStep, 'bob')).body;
    expect(Object.keys(step)).toEqual(expect.arrayContaining(['@odata.context', '@signoff.approvers', 'id', 'status', 'assignedToMe', 'reviewedBy']));
    const graph = await signoff.api.patch(graphStep, { ...step, '@odata.etag': 'W/"1"', 'reviewResult@odata.type': '#microsoft.graph.string', ...GRAPH_VERDICT }, 'bob');
    expect(graph.status, graph.text).toBe(204);
    expect((await signoff.api.get(graphStep, 'bob')).body.reviewResult).toBe('Approved');

    const stage = (await signoff.api.get(armStage, 'bob')).body;
    expect(Object.keys(stage.properties)).toContain('@signoff.approvers');
    const arm = await signoff.api.call('PUT', armStage, { as: 'bob', body: { ...stage, properties: { ...stage.properties, ...GRAPH_VERDICT } } });
    expect(arm.status, arm.text).toBe(200);
    expect(arm.body.properties.reviewResult).toBe('Approve');
  });
});
