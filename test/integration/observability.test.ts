import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { startChildServer } from '../support/child-server.js';
import { Api, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer } from '../support/test-server.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';

describe('metrics, logs, health', () => {
  let logs = '';
  const signoff = useTestServer(() => {
    const stream = new PassThrough();
    stream.on('data', (d) => { logs += d; });
    return { env: { LOG_LEVEL: 'info' }, logStream: stream };
  });

  it('exposes request, decision, pending and backlog series after a decision', async () => {
    const created = (await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, DEMO.users.alice), 'alice')).body;
    const [step] = (await signoff.api.get(`${APPROVALS}/${created.approvalId}/steps`, 'bob')).body.value;
    expect((await signoff.api.patch(`${APPROVALS}/${created.approvalId}/steps/${step.id}`, { reviewResult: 'Approve', justification: 'ok' }, 'bob')).status).toBe(204);
    expect((await signoff.api.patch(`${APPROVALS}/${created.approvalId}/steps/${step.id}`, { reviewResult: 'Deny', justification: 'late' }, 'bob')).status).toBe(409);

    const res = await fetch(`${signoff.server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/signoff_http_requests_total\{method="PATCH",route="\/beta\/roleManagement\/directory\/roleAssignmentApprovals\/:id\/:child\/:stepId",status="204"\} 1/);
    expect(text).toMatch(/signoff_decisions_total\{family="directoryRole",result="Approve"\} 1/);
    expect(text).toMatch(/signoff_decisions_total\{family="directoryRole",result="conflict"\} 1/);
    // Stage 2 still waits for carol.
    expect(text).toMatch(/signoff_pending_approvals\{family="directoryRole"\} 1/);
    expect(text).toMatch(/signoff_outbox_backlog \d+/);
    expect(text).toMatch(/signoff_timer_lag_seconds 0/);
    expect(text).toMatch(/signoff_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/signoff_store_pool_connections\{state="total"\} 1/);
  });

  it('logs one JSON line per request with id, route, status, duration and caller, never the token', async () => {
    const token = await signoff.api.token('carol');
    const res = await signoff.api.call('GET', '/v1.0/me', { token, headers: { 'client-request-id': 'trace-me-1' } });
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l));
    const line = lines.find((l) => l.requestId === res.headers.get('request-id'));
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/v1.0/me', status: 200, callerId: DEMO.users.carol });
    expect(typeof line.durationMs).toBe('number');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.split('.')[2]);
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await signoff.api.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await signoff.api.call('GET', '/readyz')).body).toEqual({ status: 'ready' });
  });
});

describe('/readyz during a rolling upgrade', () => {
  it('reports not ready once a newer release has migrated the database past this build', async () => {
    const server = await startTestServer();
    try {
      const { store } = server.running.services;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await store.transaction((tx) => sql`insert into kysely_migration (name, timestamp) values ('2099-01-01-001-from-a-newer-release', '2099-01-01T00:00:00.000Z')`.execute(tx));
      const draining = await fetch(`${server.url}/readyz`);
      expect(draining.status).toBe(503);
      expect((await draining.json()).reason).toContain('2099-01-01-001-from-a-newer-release');
      // Liveness is unaffected: the instance keeps finishing what it has.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.destroy();
    }
  });
});

describe('/metrics behind a bearer token', () => {
  it('answers only the configured SIGNOFF_METRICS_TOKEN', async () => {
    const server = await startTestServer({ env: { SIGNOFF_METRICS_TOKEN: 'scrape-secret-1' } });
    try {
      const none = await fetch(`${server.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-2' } })).status).toBe(401);
      // A user's token is not the scrape token.
      const user = await new Api(server.url).token('admin');
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${user}` } })).status).toBe(401);
      const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-1' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('signoff_http_requests_total');
    } finally {
      await server.destroy();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes every request in flight when SIGTERM arrives, then exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signoff-sigterm-'));
    const child = await startChildServer(['--data-dir', dataDir], { SIGNOFF_PUBLIC_URL: 'http://signoff.sigterm.test' });
    try {
      const target = new URL(`${child.url}/dev/token`);
      const body = JSON.stringify({ username: 'alice@contoso.com' });
      // Each request asks for 100-continue, so it is known to be in the server's hands (headers
      // parsed, handler waiting for the body) before SIGTERM lands; the body follows after it.
      const inFlight = Array.from({ length: 20 }, () => {
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
        const done = new Promise<number | string>((resolve) => {
          req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
          req.on('error', (e) => resolve(`failed: ${e.message}`));
        });
        req.flushHeaders();
        return { req, done, accepted: new Promise((r) => req.on('continue', r)) };
      });
      await Promise.all(inFlight.map((f) => f.accepted));
      child.process.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      for (const f of inFlight) f.req.end(body);
      const statuses = await Promise.all(inFlight.map((f) => f.done));
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(statuses).toHaveLength(20);
      const { code } = await child.exited;
      expect(code).toBe(0);
      // New connections are refused once it has stopped.
      await expect(fetch(`${child.url}/healthz`)).rejects.toThrow();
    } finally {
      await child.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
