import { beforeAll, describe, expect, it } from 'vitest';
import { expectArmError } from '../support/arm-errors.js';
import { expectGraphError } from '../support/graph-errors.js';
import { rawRequest } from '../support/raw-http.js';
import { useTestServer } from '../support/server-fixture.js';

const V = 'api-version=2021-01-01-preview';
const GRAPH_APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const ARM_APPROVALS = '/providers/Microsoft.Authorization/roleAssignmentApprovals';

describe('every answer in the envelope of the API its path belongs to', () => {
  const signoff = useTestServer({ https: true });
  let bob: string;
  /** A request as raw bytes: `lines` are extra header lines, each ending in CRLF. */
  const request = (method: string, path: string, lines = '') =>
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${bob}\r\nConnection: close\r\n${lines}\r\n`;

  beforeAll(async () => {
    bob = await signoff.api.token('bob');
  });

  it('refuses bad percent-encoding in the path\'s envelope without repeating the URL', async () => {
    const graph = await rawRequest(signoff.server.url, request('GET', `${GRAPH_APPROVALS}/%ZZ`));
    expectGraphError(graph, 'INVALID_URL');
    expect(graph.text).not.toContain('%ZZ');
    expectArmError(await rawRequest(signoff.server.url, request('GET', `${ARM_APPROVALS}/%?${V}`)), 'INVALID_URL');
  });

  it('answers a path segment over the router\'s limit with 414 without repeating it', async () => {
    const id = 'a'.repeat(10_000);
    const res = await signoff.api.get(`${GRAPH_APPROVALS}/${id}`, 'bob');
    expectGraphError(res, 'URI_TOO_LONG');
    expect(res.text).not.toContain(id.slice(0, 100));
  });

  it('answers a request line or headers over node\'s limit with 414 or 431 in the envelope, and closes the connection', async () => {
    const longUrl = await rawRequest(signoff.server.url, request('GET', `${ARM_APPROVALS}/${'a'.repeat(100_000)}?${V}`));
    expectArmError(longUrl, 'URI_TOO_LONG');
    expect(longUrl.closed).toBe(true);
    const bigHeaders = await rawRequest(signoff.server.url, request('GET', '/v1.0/me', `x-padding: ${'b'.repeat(20_000)}\r\n`));
    expectGraphError(bigHeaders, 'HEADERS_TOO_LARGE');
    expect(bigHeaders.closed).toBe(true);
  });

  it('answers a method node does not know with 501 and bytes that are not HTTP with 400, on HTTP and HTTPS alike', async () => {
    const graph = await rawRequest(signoff.server.url, request('FOOBAR', `${GRAPH_APPROVALS}/x`));
    expectGraphError(graph, 'METHOD_NOT_IMPLEMENTED');
    expect(graph.closed).toBe(true);
    expectArmError(await rawRequest(signoff.server.url, request('FOOBAR', `${ARM_APPROVALS}?${V}`)), 'METHOD_NOT_IMPLEMENTED');
    expectArmError(await rawRequest(signoff.server.url, request('GET', `${ARM_APPROVALS}?${V}`, 'x-odd: a\x7fb\r\n')), 'BAD_REQUEST');
    const tls = await rawRequest(signoff.server.httpsUrl!, request('FOOBAR', `/subscriptions/00000000-0000-0000-0000-000000000001${ARM_APPROVALS}?${V}`), { caFile: signoff.server.caFile });
    expectArmError(tls, 'METHOD_NOT_IMPLEMENTED');
    expect(tls.closed).toBe(true);
  });

  it('answers anything under ARM\'s roots in ARM\'s envelope, whatever the method, authenticating first', async () => {
    for (const path of [`${ARM_APPROVALS}?${V}`, `/providers?${V}`, `/subscriptions?${V}`]) {
      expectArmError(await signoff.api.call('OPTIONS', path, { token: null }), 'UNAUTHENTICATED');
      expectArmError(await signoff.api.call('GET', path, { token: null }), 'UNAUTHENTICATED');
    }
    expectArmError(await signoff.api.call('OPTIONS', `${ARM_APPROVALS}?${V}`, { as: 'bob' }), 'UNKNOWN_ROUTE');
    expectArmError(await signoff.api.get(`/providers?${V}`, 'bob'), 'UNKNOWN_ROUTE');
    expectArmError(await signoff.api.get(`/subscriptions?${V}`, 'bob'), 'UNKNOWN_ROUTE');
  });

  it('answers a method a Graph URL does not have with 405 and Allow, once the caller is authenticated', async () => {
    const approval = `${GRAPH_APPROVALS}/${crypto.randomUUID()}`;
    expectGraphError(await signoff.api.call('DELETE', approval, { token: null }), 'UNAUTHENTICATED');
    const deleted = await signoff.api.call('DELETE', approval, { as: 'bob' });
    expectGraphError(deleted, 'METHOD_NOT_ALLOWED');
    expect(deleted.headers.get('allow')).toBe('GET, HEAD');
    const put = await signoff.api.call('PUT', `${approval}/steps/${crypto.randomUUID()}`, { as: 'bob', body: {} });
    expectGraphError(put, 'METHOD_NOT_ALLOWED');
    expect(put.headers.get('allow')).toBe('GET, HEAD, PATCH');
    expectGraphError(await signoff.api.call('DELETE', '/beta/roleManagement/directory/noSuchThing', { as: 'bob' }), 'UNKNOWN_ROUTE');
  });

  it('names what was not found: the first Graph segment no route has, ARM\'s unknown namespace, and the child type ARM does not serve', async () => {
    const v1Approval = `/v1.0/roleManagement/directory/roleAssignmentApprovals/${crypto.randomUUID()}`;
    for (const res of [
      await signoff.api.patch(`${v1Approval}/stages/${crypto.randomUUID()}`, { reviewResult: 'Approve' }, 'bob'),
      await signoff.api.get(v1Approval, 'bob'),
    ]) {
      expectGraphError(res, 'UNKNOWN_ROUTE');
      expect(res.body.error.message).toBe("Resource not found for the segment 'roleAssignmentApprovals'.");
    }
    const namespace = await signoff.api.get(`/providers/Microsoft.Bogus/roleAssignmentApprovals?${V}`, 'bob');
    expectArmError(namespace, 'UNKNOWN_NAMESPACE');
    expect(namespace.body.error.message).toBe("The resource namespace 'Microsoft.Bogus' is invalid.");
    const child = await signoff.api.get(`${ARM_APPROVALS}/${crypto.randomUUID()}/bogus?${V}`, 'bob');
    expectArmError(child, 'UNKNOWN_ROUTE');
    expect(child.body.error.message).toBe("The resource type 'roleAssignmentApprovals/bogus' could not be found in the namespace 'Microsoft.Authorization'.");
  });

  it('answers HEAD on ARM as GET, without the body', async () => {
    const list = `/subscriptions/00000000-0000-0000-0000-000000000001${ARM_APPROVALS}?${V}`;
    const get = await signoff.api.get(list, 'bob');
    const head = await signoff.api.call('HEAD', list, { as: 'bob' });
    expect([head.status, head.text]).toEqual([200, '']);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('x-ms-request-id')).toBeTruthy();
    expect((await signoff.api.call('HEAD', list, { token: null })).status).toBe(401);
  });
});
