import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_INSTANT } from '../../src/domain/time.js';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { saveClockOffset } from '../../src/store/dev-clock-repo.js';
import { DEMO_TENANT_PATH, loadTenantFile } from '../../src/tenant/seed-tenant.js';
import { TenantFileError } from '../../src/tenant/tenant-file.js';
import { TENANT_SCHEMA_FILE, tenantJsonSchemaText } from '../../src/tenant/tenant-schema.js';
import { startChildServer } from '../support/child-server.js';
import { DEMO } from '../support/demo.js';
import { graphClientFor } from '../support/graph-client.js';
import { expectGraphError } from '../support/graph-errors.js';
import { Api, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { type TestServer, startTestServer, testStores } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const { alice } = DEMO.users;

const scratch = mkdtempSync(join(tmpdir(), 'signoff-tenants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeTenant(name: string, tenant: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(tenant, null, 2));
  return file;
}

const demoTenant = () => JSON.parse(readFileSync(DEMO_TENANT_PATH, 'utf8'));

/** The error a tenant file gives, with the JSON Pointer of the field it names. */
function tenantError(tenant: unknown): TenantFileError {
  try {
    loadTenantFile(writeTenant(`bad-${Math.random().toString(36).slice(2)}.json`, tenant));
  } catch (error) {
    if (error instanceof TenantFileError) return error;
    throw error;
  }
  throw new Error('the tenant file was accepted');
}

const FABRIKAM = {
  tenant: { id: 'a1f7a2c4-6b1e-4f55-9a55-0c1f4f7d2e10', domain: 'fabrikam.com', displayName: 'Fabrikam' },
  erin: 'c0a9d7c2-3a47-4d0e-8f7e-0d5b8f0a1e01',
  frank: 'c0a9d7c2-3a47-4d0e-8f7e-0d5b8f0a1e02',
  role: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
};

function fabrikamTenant() {
  return {
    tenant: FABRIKAM.tenant,
    users: [
      { id: FABRIKAM.erin, userPrincipalName: 'erin@fabrikam.com', displayName: 'Erin Requestor', managerId: FABRIKAM.frank },
      { id: FABRIKAM.frank, userPrincipalName: 'frank@fabrikam.com', displayName: 'Frank Approver' },
    ],
    groups: [],
    directoryRoles: [{ id: FABRIKAM.role, displayName: 'User Administrator' }],
    azureRoles: [], catalogs: [], accessPackages: [],
    policies: [{
      id: 'fabrikam-user-admin', family: 'directoryRole', resourceId: FABRIKAM.role, scope: '/', displayName: 'User Administrator',
      approval: {
        mode: 'SingleStage', isRequestorJustificationRequired: true,
        stages: [{
          displayName: null, timeoutMinutes: 1440, isApproverJustificationRequired: false, isEscalationEnabled: false, escalationMinutes: 0,
          primaryApprovers: [{ type: 'singleUser', userId: FABRIKAM.frank }], escalationApprovers: [], approvalsRequired: 1,
        }],
      },
      activation: { maximumDurationMinutes: 480, isJustificationRequired: true, isTicketingRequired: false },
    }],
    eligibilities: [{ principalId: FABRIKAM.erin, family: 'directoryRole', resourceId: FABRIKAM.role, scope: '/' }],
    assignments: [],
  };
}

describe('tenant files', () => {
  it('publishes the schema the server validates with (regenerate with `signoff tenant schema`)', () => {
    expect(readFileSync(TENANT_SCHEMA_FILE, 'utf8'), `${TENANT_SCHEMA_FILE} is out of date: run \`signoff tenant schema > ${TENANT_SCHEMA_FILE}\``).toBe(tenantJsonSchemaText());
  });

  it('names the bad field: schema mistakes and references to ids the file does not define', () => {
    const badGuid = demoTenant();
    badGuid.users[2].id = 'not-a-guid';
    expect(tenantError(badGuid).path).toBe('/users/2/id');

    // Durations are bounded as on every policy route, so a tenant file cannot seed a policy the API would refuse.
    const endless = demoTenant();
    endless.policies[0].approval.stages[0].timeoutMinutes = 999_999_999_999;
    expect(tenantError(endless).path).toBe('/policies/0/approval/stages/0/timeoutMinutes');

    const unknownApprover = demoTenant();
    unknownApprover.policies[1].approval.stages[1].primaryApprovers[0].userId = '00000000-0000-0000-0000-00000000dead';
    const approverError = tenantError(unknownApprover);
    expect(approverError.path).toBe('/policies/1/approval/stages/1/primaryApprovers/0/userId');
    expect(approverError.message).toContain('/policies/1/approval/stages/1/primaryApprovers/0/userId');

    const unknownGroup = demoTenant();
    const groupPolicy = unknownGroup.policies.findIndex((p: any) => p.family === 'group');
    unknownGroup.policies[groupPolicy].approval.stages[0].primaryApprovers[0].groupId = '00000000-0000-0000-0000-00000000beef';
    expect(tenantError(unknownGroup).path).toBe(`/policies/${groupPolicy}/approval/stages/0/primaryApprovers/0/groupId`);

    const unknownManager = demoTenant();
    unknownManager.users[1].managerId = '00000000-0000-0000-0000-00000000cafe';
    expect(tenantError(unknownManager).path).toBe('/users/1/managerId');

    const unknownPrincipal = demoTenant();
    unknownPrincipal.eligibilities[3].principalId = '00000000-0000-0000-0000-00000000f00d';
    expect(tenantError(unknownPrincipal).path).toBe('/eligibilities/3/principalId');

    const unknownResource = demoTenant();
    unknownResource.eligibilities[0].resourceId = DEMO.accessPackages.contractorAccess;
    expect(tenantError(unknownResource).path).toBe('/eligibilities/0/resourceId');
  });

  it('refuses to serve a tenant file with a mistake, and `signoff tenant validate` names the field', async () => {
    const broken = fabrikamTenant();
    broken.policies[0]!.approval.stages[0]!.primaryApprovers = [{ type: 'singleUser', userId: '00000000-0000-0000-0000-00000000dead' }];
    const file = writeTenant('broken.json', broken);
    await expect(startTestServer({ env: { SIGNOFF_TENANT: file } })).rejects.toThrow('/policies/0/approval/stages/0/primaryApprovers/0/userId');

    const run = promisify(execFile);
    const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 30_000 });
    const failed = await cli(['tenant', 'validate', file]).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('/policies/0/approval/stages/0/primaryApprovers/0/userId');
    const ok = await cli(['tenant', 'validate', DEMO_TENANT_PATH]);
    expect(ok.stdout).toContain('valid');
  }, 60_000);

  it('seeds exactly a custom tenant: its users, and its policy decides who approves', async () => {
    const server = await startTestServer({ env: { SIGNOFF_TENANT: writeTenant('fabrikam.json', fabrikamTenant()) } });
    try {
      const api = new Api(server.url);
      const users = await api.get('/v1.0/users', 'erin@fabrikam.com');
      expect(users.status, users.text).toBe(200);
      expect(users.body.value.map((u: any) => u.userPrincipalName).sort()).toEqual(['erin@fabrikam.com', 'frank@fabrikam.com']);
      expect((await api.call('POST', '/dev/token', { body: { username: 'alice@contoso.com' } })).status).toBe(404);

      const created = await api.post(REQUESTS, activationBody(FABRIKAM.role, FABRIKAM.erin), 'erin@fabrikam.com');
      expect(created.status, created.text).toBe(201);
      expect(created.body.status).toBe('PendingApproval');
      const inbox = await api.get(`${REQUESTS}/filterByCurrentUser(on='approver')`, 'frank@fabrikam.com');
      expect(inbox.body.value.map((r: any) => r.id)).toEqual([created.body.id]);
      const [step] = (await api.get(`${APPROVALS}/${created.body.id}/steps`, 'frank@fabrikam.com')).body.value;
      expect(step.assignedToMe).toBe(true);
      // The file's policy requires no approver justification, unlike the demo's.
      const approved = await api.patch(`${APPROVALS}/${created.body.id}/steps/${step.id}`, { reviewResult: 'Approve' }, 'frank@fabrikam.com');
      expect(approved.status, approved.text).toBe(204);
    } finally {
      await server.destroy();
    }
  });
});

describe.each(testStores())('emulator state: reset, snapshot, restore (%s store)', (store) => {
  const signoff = useTestServer({ store });

  /** The same reads every time, as text with only the per-response request ids blanked. */
  async function answers(): Promise<string[]> {
    const reads: [string, string][] = [
      ['/v1.0/users', 'admin'],
      [`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice'],
      [`${REQUESTS}/filterByCurrentUser(on='approver')`, 'bob'],
      [`${REQUESTS}/filterByCurrentUser(on='approver')`, 'carol'],
      ['/beta/roleManagement/directory/roleAssignmentScheduleInstances', 'alice'],
      [REQUESTS, 'admin'],
    ];
    const texts: string[] = [];
    for (const [path, as] of reads) {
      const res = await signoff.api.get(path, as);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      texts.push(res.text.replaceAll(res.headers.get('request-id')!, '<request-id>'));
    }
    return texts;
  }

  async function approveAs(approvalId: string, as: string) {
    const steps = (await signoff.api.get(`${APPROVALS}/${approvalId}/steps`, as)).body.value;
    const current = steps.find((s: any) => s.assignedToMe && s.reviewResult === 'NotReviewed');
    const res = await signoff.api.patch(`${APPROVALS}/${approvalId}/steps/${current.id}`, { reviewResult: 'Approve', justification: 'ok' }, as);
    expect(res.status, res.text).toBe(204);
  }

  it('brings back byte-identical answers, the clock included, and keeps tokens valid', async () => {
    const seeded = await answers();
    const first = await signoff.api.call('POST', '/dev/snapshot');
    expect(first.status).toBe(201);

    const granted = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(granted.status, granted.text).toBe(201);
    await approveAs(granted.body.id, 'bob');
    const serial = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    await approveAs(serial.body.id, 'bob');
    const afterWork = await answers();
    expect(afterWork).not.toEqual(seeded);
    const second = (await signoff.api.call('POST', '/dev/snapshot')).body;

    // More work and a day of emulated time, all of which the restore must undo.
    await approveAs(serial.body.id, 'carol');
    expect((await signoff.api.call('POST', '/dev/clock', { body: { advance: 'P2D' } })).status).toBe(200);
    expect(await answers()).not.toEqual(afterWork);

    const restored = await signoff.api.call('POST', `/dev/snapshot/${second.id}/restore`);
    expect(restored.status, restored.text).toBe(200);
    expect(await answers()).toEqual(afterWork);
    expect((await signoff.api.get('/dev/clock')).body.offsetMs).toBe(0);
    // The restored pending approval is still decidable, and new work fits around restored rows.
    await approveAs(serial.body.id, 'carol');

    const reset = await signoff.api.call('POST', '/dev/reset');
    expect(reset.status, reset.text).toBe(200);
    expect(await answers()).toEqual(seeded);
    const again = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(again.status, again.text).toBe(201);

    expect((await signoff.api.call('POST', `/dev/snapshot/${first.body.id}/restore`)).status).toBe(200);
    expect(await answers()).toEqual(seeded);

    const listed = (await signoff.api.get('/dev/snapshots')).body.value.map((s: any) => s.id);
    expect(listed).toEqual([second.id, first.body.id]);
    const unknown = await signoff.api.call('POST', '/dev/snapshot/no-such-snapshot/restore');
    expect(unknown.status).toBe(GRAPH_ERRORS.UNKNOWN_ROUTE.status);
    expect(unknown.body.error.code).toBe(GRAPH_ERRORS.UNKNOWN_ROUTE.code);
  });

  it('resets to the tenant file after a restart on existing data, which it did not seed', async () => {
    const first = await startTestServer({ store });
    const firstApi = new Api(first.url);
    expect((await firstApi.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice')).status).toBe(201);
    await first.close();
    const again = await startTestServer({ dataDir: first.dataDir, ...(first.databaseUrl ? { databaseUrl: first.databaseUrl } : {}) });
    try {
      const againApi = new Api(again.url);
      const mine = `${REQUESTS}/filterByCurrentUser(on='principal')`;
      expect((await againApi.get(mine, 'alice')).body.value).toHaveLength(1);
      expect((await againApi.call('POST', '/dev/reset')).status).toBe(200);
      expect((await againApi.get(mine, 'alice')).body.value).toEqual([]);
      expect((await againApi.get('/v1.0/users', 'admin')).body.value).toHaveLength(Object.keys(DEMO.users).length);
      expect((await againApi.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice')).status).toBe(201);
      expect((await againApi.call('POST', '/dev/reset')).status).toBe(200);
      expect((await againApi.get(mine, 'alice')).body.value).toEqual([]);
    } finally {
      await again.destroy();
    }
  });
});

describe.each(testStores())('the dev clock (%s store)', (store) => {
  const restart = async (server: TestServer) => {
    await server.close();
    return startTestServer({ dataDir: server.dataDir, ...(server.databaseUrl ? { databaseUrl: server.databaseUrl } : {}) });
  };

  it(`refuses a move past ${LATEST_INSTANT} with a 400 that changes nothing, in memory or in the store`, async () => {
    const first = await startTestServer({ store });
    let again: TestServer | null = null;
    try {
      const api = new Api(first.url);
      expect((await api.call('POST', '/dev/clock', { body: { advance: 'PT1H' } })).status).toBe(200);
      const before = (await api.get('/dev/clock')).body;
      // A day count, an hour count beyond any Date, the largest Date, and the first instant of year 10000.
      for (const body of [{ advance: 'P99999999D' }, { advance: `PT${'9'.repeat(60)}H` }, { set: '+275760-09-13T00:00:00.000Z' }, { set: '+010000-01-01T00:00:00.000Z' }]) {
        const res = await api.call('POST', '/dev/clock', { body });
        expectGraphError(res, 'INVALID_REQUEST');
        expect(res.body.error.message).toContain(LATEST_INSTANT);
      }
      // One millisecond past the largest Date is no date at all.
      expectGraphError(await api.call('POST', '/dev/clock', { body: { set: '+275760-09-13T00:00:00.001Z' } }), 'INVALID_REQUEST');

      const after = await api.get('/dev/clock');
      expect(after.status, after.text).toBe(200);
      expect(after.body.offsetMs).toBe(before.offsetMs);
      const created = await api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
      expect(created.status, created.text).toBe(201);

      again = await restart(first);
      const restarted = await new Api(again.url).get('/dev/clock');
      expect(restarted.status, restarted.text).toBe(200);
      expect(restarted.body.offsetMs).toBe(before.offsetMs);
    } finally {
      await again?.close();
      await first.destroy();
    }
  });

  it('ignores a stored offset no clock can hold, on a move and on a restart, and keeps serving', async () => {
    const first = await startTestServer({ store });
    let again: TestServer | null = null;
    try {
      const api = new Api(first.url);
      // What an older Signoff left behind after such a move: past the last Date, then not finite at all.
      await first.running.services.store.transaction((tx) => saveClockOffset(tx, 8.64e15));
      const moved = await api.call('POST', '/dev/clock', { body: { advance: 'PT1H' } });
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body.offsetMs).toBe(3_600_000);

      await first.running.services.store.transaction((tx) => saveClockOffset(tx, Number.POSITIVE_INFINITY));
      again = await restart(first);
      const againApi = new Api(again.url);
      const clock = await againApi.get('/dev/clock');
      expect(clock.status, clock.text).toBe(200);
      expect(clock.body.offsetMs).toBe(0);
      const created = await againApi.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
      expect(created.status, created.text).toBe(201);
      const mine = await againApi.get(`${REQUESTS}/filterByCurrentUser(on='principal')`, 'alice');
      expect(mine.status, mine.text).toBe(200);
      expect((await againApi.call('POST', '/dev/clock', { body: { advance: 'PT2H' } })).body.offsetMs).toBe(7_200_000);
    } finally {
      await again?.close();
      await first.destroy();
    }
  });
});

describe('with an external issuer', () => {
  let issuer: Server;
  beforeAll(async () => {
    const { publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'RS256', use: 'sig' };
    issuer = createServer((req, res) => {
      const base = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
      const body = req.url === '/.well-known/openid-configuration' ? { issuer: base, jwks_uri: `${base}/jwks` } : req.url === '/jwks' ? { keys: [jwk] } : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => issuer?.close(resolve));
  });
  const signoff = useTestServer(() => ({ env: { SIGNOFF_OIDC_ISSUER: `http://127.0.0.1:${(issuer.address() as AddressInfo).port}` } }));

  it('has no /dev/* at all', async () => {
    const { api } = signoff;
    const calls: [string, string, unknown?][] = [
      ['POST', '/dev/reset'], ['POST', '/dev/snapshot'], ['GET', '/dev/snapshots'], ['POST', '/dev/snapshot/x/restore'],
      ['POST', '/dev/faults', { match: {}, respond: { status: 503 } }], ['GET', '/dev/faults'], ['DELETE', '/dev/faults'],
      ['GET', '/dev/requests'], ['POST', '/dev/token', { username: 'alice@contoso.com' }], ['GET', '/dev/clock'],
    ];
    for (const [method, path, body] of calls) {
      const res = await api.call(method, path, { body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });
});

describe('dev mode on a shared address', () => {
  it('warns at start that anyone who can reach the port can mint tokens, and is quiet on loopback', async () => {
    const dataDir = mkdtempSync(join(scratch, 'host-'));
    for (const [host, warned] of [['0.0.0.0', true], ['127.0.0.1', false]] as const) {
      const server = await startChildServer(['--host', host, '--data-dir', join(dataDir, host)]);
      try {
        expect((await fetch(`http://127.0.0.1:${new URL(server.url).port}/healthz`)).status).toBe(200);
        expect(server.output().includes('Dev mode on a non-loopback address'), server.output()).toBe(warned);
      } finally {
        await server.stop();
      }
    }
  });
});

describe('/dev/* and other web pages', () => {
  const signoff = useTestServer();

  it('refuses what a page of another origin sends, as a browser sends it without asking first, and serves the inbox and scripts', async () => {
    const { api, server } = signoff;
    const created = await api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(created.status).toBe(201);
    const snapshots = (await api.get('/dev/snapshots')).body.value.length;
    // A form or a no-cors fetch: a POST with no body, or a body that is not JSON, needs no preflight.
    for (const origin of ['https://attacker.example', 'null', `${server.url}.attacker.example`]) {
      for (const path of ['/dev/reset', '/dev/snapshot', '/dev/clock']) {
        const res = await api.call('POST', path, { headers: { origin } });
        expect({ origin, path, status: res.status }).toEqual({ origin, path, status: 403 });
        expectGraphError(res, 'ACCESS_DENIED');
      }
    }
    expect((await api.get(`${REQUESTS}/${created.body.id}`, 'alice')).status).toBe(200);
    expect((await api.get('/dev/snapshots')).body.value.length).toBe(snapshots);
    // The inbox's own page (same origin), and scripts and SDKs (no Origin at all), are served as before.
    const own = await api.call('POST', '/dev/token', { headers: { origin: server.url }, body: { username: 'bob@contoso.com' } });
    expect(own.status, own.text).toBe(200);
    expect((await api.call('GET', '/dev/clock', { headers: { origin: server.url } })).status).toBe(200);
    expect((await api.call('POST', '/dev/snapshot')).status).toBe(201);
  });
});

describe('faults and the request log', () => {
  const signoff = useTestServer({ https: true });

  const addFault = async (rule: object) => {
    const res = await signoff.api.call('POST', '/dev/faults', { body: rule });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const clearFaults = async () => expect((await signoff.api.call('DELETE', '/dev/faults')).status).toBe(204);
  const logged = async (query = '') => (await signoff.api.get(`/dev/requests${query}`)).body.value as any[];

  it("answers in the matched API's envelope, with Retry-After, and never on /dev or /healthz", async () => {
    const rule = await addFault({ match: {}, respond: { status: 503, retryAfter: 2 } });
    const graph = await signoff.api.get('/v1.0/me', 'alice');
    expect(graph.status).toBe(503);
    expect(graph.headers.get('retry-after')).toBe('2');
    expect(graph.headers.get('x-signoff-fault')).toBe(rule.id);
    expect(graph.body.error).toMatchObject({ code: 'serviceNotAvailable', innerError: { 'request-id': graph.headers.get('request-id') } });
    const arm = await signoff.api.get(`${DEMO.azure.subscriptionScope}/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview`, 'alice');
    expect(arm.status).toBe(503);
    expect(arm.body).toEqual({ error: { code: 'ServiceUnavailable', message: expect.any(String) } });
    expect((await signoff.api.get('/healthz')).status).toBe(200);
    expect((await signoff.api.get('/dev/faults')).status).toBe(200);
    await clearFaults();
    expect((await signoff.api.get('/v1.0/me', 'alice')).status).toBe(200);
  });

  it('fails exactly the next N, adds latency, and repeats the same sequence for the same seed', async () => {
    await addFault({ match: { method: 'GET', path: '/v1.0/me' }, respond: { status: 500, code: 'chaos' }, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await signoff.api.get('/v1.0/me', 'alice')).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect((await logged('?status=500&top=1'))[0].responseBody.error.code).toBe('chaos');
    await clearFaults();

    await addFault({ match: { path: '/v1.0/users/*' }, respond: { delayMs: 120 } });
    const slow = await signoff.api.get('/v1.0/users/bob@contoso.com', 'alice');
    expect(slow.status).toBe(200);
    expect((await logged('?path=/v1.0/users/*&top=1'))[0].latencyMs).toBeGreaterThanOrEqual(120);
    await clearFaults();

    const sequence = async () => {
      await addFault({ match: { method: 'GET', path: '/v1.0/**' }, respond: { status: 429, retryAfter: 0 }, rate: 0.5, seed: 42 });
      const seen: number[] = [];
      for (let i = 0; i < 24; i++) seen.push((await signoff.api.get('/v1.0/me', 'alice')).status);
      await clearFaults();
      return seen;
    };
    const run1 = await sequence();
    expect(run1).toContain(429);
    expect(run1).toContain(200);
    expect(await sequence()).toEqual(run1);
  });

  it("lets Microsoft's Graph client retry a 429 after Retry-After and succeed once the rule is cleared", async () => {
    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);
    const [step] = (await signoff.api.get(`${APPROVALS}/${created.body.id}/steps`, 'bob')).body.value;
    const rule = await addFault({ match: { method: 'PATCH', path: '/beta/**/steps/*' }, respond: { status: 429, retryAfter: 1 }, rate: 1 });

    const client = graphClientFor(signoff.server, signoff.api, 'bob');
    const patched = client.api(`/roleManagement/directory/roleAssignmentApprovals/${created.body.id}/steps/${step.id}`)
      .patch({ reviewResult: 'Approve', justification: 'Retried through a throttle' });
    // Clear the rule as soon as the first throttled answer is in the log; the client is then asleep.
    let throttled: any[] = [];
    for (let i = 0; i < 500 && throttled.length === 0; i++) {
      throttled = await logged('?status=429&method=PATCH');
      if (throttled.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(throttled).toHaveLength(1);
    await clearFaults();
    await patched;

    const [decided] = (await signoff.api.get(`${APPROVALS}/${created.body.id}/steps`, 'bob')).body.value;
    expect(decided.reviewResult).toBe('Approved');
    const patches = await logged('?method=PATCH&path=/steps/');
    expect(patches.map((e) => e.status)).toEqual([204, 429]);
    expect(patches[1]).toMatchObject({ fault: rule.id, caller: null });
    expect(patches[1].responseBody.error.code).toBe('TooManyRequests');
    expect(patches[0]).toMatchObject({ fault: null, caller: { id: DEMO.users.bob, userPrincipalName: 'bob@contoso.com' } });
    expect(patches[0].requestHeaders['retry-attempt']).toBe('1');
    expect(patches[0].requestBody).toEqual({ reviewResult: 'Approve', justification: 'Retried through a throttle' });
  }, 20_000);

  it('matches a glob of many `**` against a long path at once, for fault rules and the log filter alike', async () => {
    // Each `**a` makes a backtracking matcher try every split of the path again: hours for 400 characters.
    const glob = '/**a**a**a**a**a**a**b';
    const rule = await addFault({ match: { path: glob }, respond: { status: 503 } });
    const timed = async (path: string) => {
      const started = performance.now();
      const res = await signoff.api.get(path);
      return { res, ms: performance.now() - started };
    };
    const missed = await timed(`/${'a'.repeat(400)}`);
    expect(missed.res.status).toBe(404);
    expect(missed.res.headers.get('x-signoff-fault')).toBeNull();
    expect(missed.ms).toBeLessThan(200);
    const hit = await timed(`/${'a'.repeat(399)}b`);
    expect(hit.res.status).toBe(503);
    expect(hit.res.headers.get('x-signoff-fault')).toBe(rule.id);
    expect(hit.ms).toBeLessThan(200);
    await clearFaults();

    const filtered = await timed(`/dev/requests?path=${encodeURIComponent(`/${'**a'.repeat(160)}**b`)}`);
    expect(filtered.res.status).toBe(200);
    expect(filtered.res.body.value.map((e: any) => e.path)).toContain(`/${'a'.repeat(399)}b`);
    expect(filtered.res.body.value.map((e: any) => e.path)).not.toContain(`/${'a'.repeat(400)}`);
    expect(filtered.ms).toBeLessThan(200);
  });

  it('filters by path, status and caller, newest first, and never holds a bearer token or a secret', async () => {
    await signoff.api.get('/v1.0/me', 'carol');
    const byCarol = await logged('?caller=carol@contoso.com');
    expect(byCarol.length).toBeGreaterThan(0);
    expect(byCarol.every((e) => e.caller.userPrincipalName === 'carol@contoso.com')).toBe(true);
    await signoff.api.post('/v1.0/subscriptions', { clientState: 'x', secret: 'whsec_c2VjcmV0LXZhbHVl', notificationUrl: 'https://example.test/hook' }, 'carol');
    // Tokens where no field name gives them away: in a query string and inside free text.
    const carols = await signoff.api.token('carol');
    await signoff.api.get(`/v1.0/me?hint=${carols}`, 'carol');
    await signoff.api.post('/v1.0/subscriptions', { note: `pasted Bearer ${carols} by mistake`, copy: carols }, 'carol');
    const [posted] = await logged('?path=/v1.0/subscriptions&method=POST&top=2').then((e) => e.reverse());
    expect(posted.requestBody).toMatchObject({ clientState: 'x', secret: '[redacted]' });
    const errors = await logged('?status=4xx');
    expect(errors.every((e) => e.status >= 400 && e.status < 500)).toBe(true);
    const all = await logged('?top=1000');
    const times = all.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.some((e) => e.path === '/dev/token')).toBe(true);

    const text = JSON.stringify(all);
    for (const user of ['alice', 'bob', 'carol'] as const) expect(text).not.toContain(await signoff.api.token(user));
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(text).not.toMatch(/Bearer\s+(?!\[redacted\])/);
    expect(text).not.toContain('whsec_c2VjcmV0LXZhbHVl');
    expect(text).toContain('"authorization":"[redacted]"');
  });
});
