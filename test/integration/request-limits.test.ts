import { describe, expect, it } from 'vitest';
import { ARM_ERRORS } from '../../src/http/arm/arm-errors.js';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-errors.js';
import type { ApiResponse } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const ARM_APPROVALS = `${DEMO.azure.subscriptionScope}/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview`;
const ARM_REQUEST = `${DEMO.azure.subscriptionScope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${crypto.randomUUID()}?api-version=2020-10-01`;
const GRAPH_REQUESTS = '/v1.0/roleManagement/directory/roleAssignmentScheduleRequests';
const OVERSIZED = JSON.stringify({ justification: 'x'.repeat(1024 * 1024 + 1) });

function expectArmError(res: ApiResponse, code: keyof typeof ARM_ERRORS): void {
  expect(res.status, res.text).toBe(ARM_ERRORS[code].status);
  expect(res.body.error.code).toBe(ARM_ERRORS[code].code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

function expectRetryAfter(res: ApiResponse): void {
  const seconds = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `retry-after ${res.headers.get('retry-after')}`).toBe(true);
}

describe.each(testStores())('request limits (%s store)', (store) => {
  // Five requests a minute per caller; nothing in this test waits long enough to refill one.
  const signoff = useTestServer({ store, env: { SIGNOFF_RATE_LIMIT_PER_MINUTE: '5' } });

  it('refuses a body over 1 MiB with 413 in each API\'s format', async () => {
    const headers = { 'content-type': 'application/json' };
    expectGraphError(await signoff.api.call('POST', GRAPH_REQUESTS, { as: 'dave', rawBody: OVERSIZED, headers }), 'BODY_TOO_LARGE');
    expectArmError(await signoff.api.call('PUT', ARM_REQUEST, { as: 'carol', rawBody: OVERSIZED, headers }), 'BODY_TOO_LARGE');
  });

  it('caps $top at the service maximum rather than refusing it, and refuses a $top that is not a positive integer', async () => {
    expect((await signoff.api.get('/v1.0/users?$top=100000', 'admin')).status).toBe(200);
    expectGraphError(await signoff.api.get('/v1.0/users?$top=0', 'admin'), 'BAD_REQUEST');
  });

  it('throttles each caller with 429 and Retry-After in each API\'s format, one allowance across APIs', async () => {
    for (let i = 0; i < 3; i++) expect((await signoff.api.get('/v1.0/me', 'alice')).status).toBe(200);
    expect((await signoff.api.get(ARM_APPROVALS, 'alice')).status).toBe(200);
    expect((await signoff.api.get('/v1.0/me', 'alice')).status).toBe(200);

    const graph = await signoff.api.get('/v1.0/me', 'alice');
    expectGraphError(graph, 'RATE_LIMITED');
    expectRetryAfter(graph);
    const arm = await signoff.api.get(ARM_APPROVALS, 'alice');
    expectArmError(arm, 'RATE_LIMITED');
    expectRetryAfter(arm);
    // Another caller keeps its own allowance.
    expect((await signoff.api.get('/v1.0/me', 'bob')).status).toBe(200);
  });

  it('throttles unauthenticated requests by address', async () => {
    for (let i = 0; i < 5; i++) expectGraphError(await signoff.api.call('GET', '/v1.0/me', { token: 'not-a-token' }), 'UNAUTHENTICATED');
    const throttled = await signoff.api.call('GET', '/v1.0/me', { token: 'not-a-token' });
    expectGraphError(throttled, 'RATE_LIMITED');
    expectRetryAfter(throttled);
  });
});
