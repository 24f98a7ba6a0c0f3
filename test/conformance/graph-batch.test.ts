import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import { BatchRequestContent, BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-beta-sdk/models/oDataErrors/index.js';
import { BatchRequestContent as KiotaBatchRequestContent } from '@microsoft/msgraph-sdk-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { graphClientFor } from '../support/graph-client.js';
import { expectGraphError } from '../support/graph-errors.js';
import { activationBody } from '../support/http.js';
import { adapterFor } from '../support/kiota-adapter.js';
import { useTestServer } from '../support/server-fixture.js';

const REQUESTS = '/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/roleManagement/directory/roleAssignmentApprovals';

describe('JSON batching ($batch) with Microsoft\'s clients over HTTPS', () => {
  const signoff = useTestServer({ https: true });
  // Each test starts from the demo tenant as seeded, so alice may ask for the same role again.
  beforeEach(async () => expect((await signoff.api.call('POST', '/dev/reset')).status).toBe(200));

  /** A pending approval of alice's with bob as its approver: its id and the path of its one step (no version). */
  async function pendingStep(role: string = DEMO.roles.userAdministrator): Promise<{ approvalId: string; stepPath: string }> {
    const created = await signoff.api.post(`/beta${REQUESTS}`, activationBody(role, DEMO.users.alice), 'alice');
    expect(created.status, created.text).toBe(201);
    const steps = await signoff.api.get(`/beta${APPROVALS}/${created.body.approvalId}/steps`, 'bob');
    return { approvalId: created.body.approvalId, stepPath: `${APPROVALS}/${created.body.approvalId}/steps/${steps.body.value[0].id}` };
  }

  it('decides a step and reads it back in one batch from the Graph client: dependsOn order, 409 and 424 per request', async () => {
    const { approvalId, stepPath } = await pendingStep();
    const bob = graphClientFor(signoff.server, signoff.api, 'bob');
    // The Graph client keeps what follows the host, so its requests' URLs name no version (as on Graph).
    const origin = signoff.server.httpsUrl!;
    const decide = (justification: string) => new Request(`${origin}${stepPath}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reviewResult: 'Approve', justification }),
    });
    const batch = new BatchRequestContent([
      { id: 'me', request: new Request(`${origin}/me?$select=id,displayName`) },
      { id: 'approve', request: decide('Approved in a batch'), dependsOn: ['me'] },
      { id: 'again', request: decide('Twice'), dependsOn: ['approve'] },
      { id: 'read', request: new Request(`${origin}${stepPath}`), dependsOn: ['again'] },
    ]);
    const answer = new BatchResponseContent(await bob.api('/$batch').version('beta').post(await batch.getContent()));

    const me = answer.getResponseById('me')!;
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: DEMO.users.bob, '@odata.context': `${origin}/beta/$metadata#users/$entity` });
    expect(answer.getResponseById('approve')!.status).toBe(204);
    const again = answer.getResponseById('again')!;
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe(GRAPH_ERRORS.STEP_ALREADY_DECIDED.code);
    const read = answer.getResponseById('read')!;
    expect(read.status).toBe(424);
    expect((await read.json()).error.code).toBe('FailedDependency');

    // The batch's decision is the same as one sent alone: recorded, audited under bob, request granted.
    const step = await signoff.api.get(`/beta${stepPath}`, 'bob');
    expect(step.body).toMatchObject({ reviewResult: 'Approved', justification: 'Approved in a batch', reviewedBy: [expect.objectContaining({ id: DEMO.users.bob })] });
    const request = await signoff.api.get(`/beta${REQUESTS}/${approvalId}`, 'alice');
    expect(request.body.status).toBe('Provisioned');
    const audit = await signoff.api.get(`/signoff/v1/audit?requestId=${approvalId}`, 'admin');
    expect(audit.body.value.filter((e: any) => e.actorId === DEMO.users.bob).length).toBeGreaterThan(0);
  });

  it('answers each request with its own status, including 403 and 404, and needs a token for the batch', async () => {
    const { stepPath } = await pendingStep();
    const dave = graphClientFor(signoff.server, signoff.api, 'dave');
    const origin = signoff.server.httpsUrl!;
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${origin}${stepPath}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reviewResult: 'Approve', justification: 'not mine' }) }) },
      { id: '2', request: new Request(`${origin}/users/00000000-0000-0000-0000-000000000404`) },
      { id: '3', request: new Request(`${origin}/beta/me`) },
    ]);
    const answer = new BatchResponseContent(await dave.api('/$batch').version('beta').post(await batch.getContent()));
    expect((await answer.getResponseById('1')!.json()).error.code).toBe(GRAPH_ERRORS.NOT_AN_APPROVER.code);
    expect(answer.getResponseById('1')!.status).toBe(403);
    expect(answer.getResponseById('2')!.status).toBe(404);
    // As on Graph: the URL is relative to the version the batch was sent to.
    expect((await answer.getResponseById('3')!.json()).error.message).toMatch(/segment 'beta'/);

    const anonymous = await signoff.api.call('POST', '/v1.0/$batch', { token: '', body: { requests: [{ id: '1', method: 'GET', url: '/me' }] } });
    expectGraphError(anonymous, 'UNAUTHENTICATED');
    // Each request meets its own route's permission: a token that may read only its owner passes one of two.
    const minted = await signoff.api.call('POST', '/dev/token', { body: { username: 'bob@contoso.com', scopes: ['User.Read'] } });
    const narrow = await signoff.api.call('POST', '/v1.0/$batch', {
      token: minted.body.access_token, body: { requests: [{ id: 'me', method: 'GET', url: '/me' }, { id: 'users', method: 'GET', url: '/users' }] },
    });
    expect(narrow.body.responses.map((r: any) => [r.id, r.status, r.body.error?.code ?? null])).toEqual([['me', 200, null], ['users', 403, GRAPH_ERRORS.MISSING_PERMISSION.code]]);
  });

  it('runs a batch built by Kiota\'s batch content, on the same adapter as the other Kiota calls', async () => {
    const { approvalId, stepPath } = await pendingStep();
    const bob = adapterFor(signoff.server, signoff.api, 'bob');
    const content = new KiotaBatchRequestContent(bob, { XXX: createODataErrorFromDiscriminatorValue });
    const read = (path: string) => new RequestInformation(HttpMethod.GET, `{+baseurl}${path}`, { baseurl: bob.baseUrl });
    // This release of Kiota's batch content sends no Content-Type with a body, which Graph refuses: reads only.
    const listed = content.addBatchRequest(read(`${APPROVALS}/filterByCurrentUser(on='approver')`));
    const step = content.addBatchRequest(read(stepPath));
    step.dependsOn = [listed.id];
    const answer = await content.postAsync();
    expect(answer?.getResponseById(listed.id)?.status).toBe(200);
    expect(answer?.getResponseById(step.id)?.status).toBe(200);
    // The same batch, read raw: the listed approvals include this one (this release of Kiota reads bodies as base64 only).
    const raw = await signoff.api.post('/beta/$batch', content.getContent(), 'bob');
    expect(raw.body.responses.find((r: any) => r.id === listed.id).body.value.map((a: any) => a.id)).toContain(approvalId);
  });

  it('names the server the batch was sent to in the links of its answers, a header which a client cannot set for itself', async () => {
    const forged = { 'x-signoff-batch-origin': 'https://elsewhere.example' };
    const batch = await signoff.api.call('POST', '/v1.0/$batch', { as: 'admin', body: { requests: [{ id: 'users', method: 'GET', url: '/users?$top=1', headers: forged }] } });
    expect(batch.body.responses[0].body['@odata.nextLink']).toMatch(new RegExp(`^${signoff.server.url}/v1\\.0/users\\?`));
    const alone = await signoff.api.call('GET', '/v1.0/users?$top=1', { as: 'admin', headers: forged });
    expect(alone.body['@odata.context']).toBe(`${signoff.server.url}/v1.0/$metadata#users`);
    expect(alone.body['@odata.nextLink']).toMatch(new RegExp(`^${signoff.server.url}/v1\\.0/users\\?`));
  });

  it('refuses a malformed batch as a whole, before any request runs', async () => {
    const { stepPath } = await pendingStep(DEMO.roles.securityAdministrator);
    const approve = { id: 'a', method: 'PATCH', url: stepPath, headers: { 'content-type': 'application/json' }, body: { reviewResult: 'Approve', justification: 'x' } };
    const refusals: [unknown, RegExp][] = [
      [{ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' })) }, /at most 20/],
      [{ requests: [approve, { id: 'a', method: 'GET', url: '/me' }] }, /more than once/],
      [{ requests: [approve, { id: 'A', method: 'GET', url: '/me' }] }, /more than once/],
      [{ requests: [approve, { id: 'b', method: 'GET', url: '/me', dependsOn: ['zzz'] }] }, /depends on 'zzz'/],
      [{ requests: [{ ...approve, dependsOn: ['b'] }, { id: 'b', method: 'GET', url: '/me', dependsOn: ['a'] }] }, /on itself/],
      [{ requests: [approve, { id: 'b', method: 'GET', url: 'https://graph.microsoft.com/v1.0/me' }] }, /relative/],
      [{ requests: [approve, { id: 'b', method: 'POST', url: '/../dev/reset' }] }, /not a resource/],
      [{ requests: [approve, { id: 'b', method: 'POST', url: '/$batch', headers: { 'content-type': 'application/json' }, body: { requests: [] } }] }, /not a resource/],
      [{ requests: [approve, { id: 'b', method: 'TRACE', url: '/me' }] }, /method 'TRACE'/],
      [{ requests: [{ ...approve, headers: {} }] }, /no Content-Type/],
      [{ requests: [] }, /./],
    ];
    for (const [body, message] of refusals) {
      const res = await signoff.api.call('POST', '/beta/$batch', { as: 'bob', body });
      expectGraphError(res, 'BAD_REQUEST');
      expect(res.body.error.message).toMatch(message);
    }
    // Ids are compared in any letter case, as Graph compares them; each answer keeps its request's spelling.
    const cased = await signoff.api.call('POST', '/beta/$batch', { as: 'bob', body: { requests: [{ id: 'Me', method: 'GET', url: '/me' }, { id: 'again', method: 'GET', url: '/me', dependsOn: ['ME'] }] } });
    expect(cased.body.responses?.map((r: any) => [r.id, r.status]), cased.text).toEqual([['Me', 200], ['again', 200]]);
    // A body nested deeper than can be sent on is refused too, not answered 500 for the whole batch.
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const nested = await signoff.api.call('POST', '/beta/$batch', {
      as: 'bob', headers: { 'content-type': 'application/json' },
      rawBody: `{"requests":[{"id":"a","method":"PATCH","url":"${stepPath}","headers":{"content-type":"application/json"},"body":${deep}}]}`,
    });
    expectGraphError(nested, 'BAD_REQUEST');
    expect(nested.body.error.message).toMatch(/Request 'a'.*nested too deeply/);
    // Nothing ran: the step is still waiting.
    expect((await signoff.api.get(`/beta${stepPath}`, 'bob')).body.reviewResult).toBe('NotReviewed');
  });
});
