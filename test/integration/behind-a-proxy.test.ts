import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'signoff.contoso.com', 'x-forwarded-for': '203.0.113.7' };
const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';

describe('behind a TLS-terminating proxy Signoff is told to trust', () => {
  const signoff = useTestServer({ env: { SIGNOFF_TRUST_PROXY: '127.0.0.1' } });

  it('names the public origin in links and audits the client address the proxy saw', async () => {
    const users = await signoff.api.call('GET', '/v1.0/users?$top=1', { as: 'alice', headers: FORWARDED });
    expect(users.status, users.text).toBe(200);
    expect(users.body['@odata.context']).toBe('https://signoff.contoso.com/v1.0/$metadata#users');
    expect(users.body['@odata.nextLink']).toMatch(/^https:\/\/signoff\.contoso\.com\/v1\.0\/users\?/);

    const created = await signoff.api.call('POST', REQUESTS, { as: 'alice', headers: FORWARDED, body: activationBody(DEMO.roles.userAdministrator, DEMO.users.alice) });
    expect(created.status, created.text).toBe(201);
    const audit = await signoff.api.get(`/signoff/v1/audit?requestId=${created.body.id}`, 'admin');
    expect(audit.body.value.map((e: any) => e.clientIp)).toContain('203.0.113.7');
  });
});

describe('with no proxy to trust (the default)', () => {
  const signoff = useTestServer();

  it('ignores X-Forwarded-* headers a client sends', async () => {
    const users = await signoff.api.call('GET', '/v1.0/users?$top=1', { as: 'alice', headers: FORWARDED });
    expect(users.status, users.text).toBe(200);
    expect(users.body['@odata.nextLink']).toMatch(new RegExp(`^${signoff.server.url}/v1\\.0/users\\?`));
    const created = await signoff.api.call('POST', REQUESTS, { as: 'alice', headers: FORWARDED, body: activationBody(DEMO.roles.userAdministrator, DEMO.users.alice) });
    const audit = await signoff.api.get(`/signoff/v1/audit?requestId=${created.body.id}`, 'admin');
    expect(audit.body.value.map((e: any) => e.clientIp)).not.toContain('203.0.113.7');
  });

  it('reads SIGNOFF_TRUST_PROXY as on, off, a hop count or addresses, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SIGNOFF_TRUST_PROXY: 'on' }).trustProxy).toBe(true);
    expect(loadConfig({ SIGNOFF_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ SIGNOFF_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ SIGNOFF_TRUST_PROXY: 'proxy.example' })).toThrow(/SIGNOFF_TRUST_PROXY/);
  });
});
