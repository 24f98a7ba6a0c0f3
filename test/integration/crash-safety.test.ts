import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_PATH } from '../../src/tenant/seed-tenant.js';
import { type ChildServer, startChildServer } from '../support/child-server.js';
import { DEMO } from '../support/demo.js';
import { Api, activationBody } from '../support/http.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const PUBLIC_URL = 'http://signoff.crash.test';
const REQUESTORS = 400;
const WORKERS = 8;
const KILLS = 4;

/** The demo tenant plus many requestors, each eligible for both roles, so every flow starts fresh. */
function writeTenant(dir: string): { file: string; upns: string[] } {
  const tenant = JSON.parse(readFileSync(DEMO_TENANT_PATH, 'utf8'));
  const upns: string[] = [];
  for (let i = 0; i < REQUESTORS; i++) {
    const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const upn = `requestor${i}@contoso.com`;
    upns.push(upn);
    tenant.users.push({ id, userPrincipalName: upn, displayName: `Requestor ${i}` });
    for (const role of [DEMO.roles.userAdministrator, DEMO.roles.securityAdministrator]) {
      tenant.eligibilities.push({ principalId: id, family: 'directoryRole', resourceId: role, scope: '/' });
    }
  }
  const file = join(dir, 'tenant.json');
  writeFileSync(file, JSON.stringify(tenant));
  return { file, upns };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash safety: SIGKILL under a stream of decisions (sqlite store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-crash-'));
  let server: ChildServer | null = null;
  let receiver: WebhookReceiver | null = null;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged decision with exactly its audit and outbox events, and delivers every event', async () => {
    const { file: tenantFile, upns } = writeTenant(dir);
    // Each start gets a port from the OS; tokens outlive restarts (the signing key and issuer are kept).
    const start = () => startChildServer(['--data-dir', join(dir, 'data'), '--tenant', tenantFile], {
      SIGNOFF_PUBLIC_URL: PUBLIC_URL, SIGNOFF_OUTBOX_INTERVAL_MS: '200', SIGNOFF_WEBHOOK_TIMEOUT_MS: '2000',
    });
    receiver = await startWebhookReceiver();
    server = await start();
    let api = new Api(server.url);

    const sub = await api.post('/signoff/v1/webhooks', { url: `${receiver.url}/crash` }, 'admin');
    expect(sub.status, sub.text).toBe(201);
    receiver.secretFor('/crash', sub.body.secret);

    // What the clients were told succeeded: each must survive every crash.
    const acknowledgedRequests = new Set<string>();
    const acknowledgedDecisions = new Map<string, string>();
    let next = 0;
    let stopping = false;
    // While the server is down, workers wait here instead of using up requestors.
    let serverUp: Promise<void> = Promise.resolve();

    async function decide(approvalId: string, index: number, as: string, reviewResult: string): Promise<boolean> {
      const steps = await api.get(`${APPROVALS}/${approvalId}/steps`, as);
      const step = steps.body?.value?.[index];
      if (!step) return false;
      const res = await api.patch(`${APPROVALS}/${approvalId}/steps/${step.id}`, { reviewResult, justification: 'crash test' }, as);
      if (res.status !== 204) return false;
      acknowledgedDecisions.set(step.id, reviewResult);
      return true;
    }

    async function flow(upn: string, n: number): Promise<void> {
      const serial = n % 2 === 1;
      const id = `00000000-0000-4000-8000-${(n).toString(16).padStart(12, '0')}`;
      const created = await api.call('POST', REQUESTS, { token: await api.token(upn), body: activationBody(serial ? DEMO.roles.securityAdministrator : DEMO.roles.userAdministrator, id) });
      if (created.status !== 201) return;
      acknowledgedRequests.add(created.body.id);
      const outcome = n % 3 === 0 ? 'Deny' : 'Approve';
      if (await decide(created.body.id, 0, 'bob', outcome) && serial && outcome === 'Approve') await decide(created.body.id, 1, 'carol', n % 5 === 0 ? 'Deny' : 'Approve');
    }

    async function worker(): Promise<void> {
      while (!stopping && next < upns.length) {
        const n = next++;
        try {
          await flow(upns[n]!, n);
        } catch {
          await serverUp; // the server was killed: this flow is abandoned wherever it stood
        }
      }
    }

    const workers = Array.from({ length: WORKERS }, () => worker());
    for (let kill = 0; kill < KILLS; kill++) {
      await delay(1000 + Math.random() * 2000);
      let restarted!: () => void;
      serverUp = new Promise((resolve) => { restarted = resolve; });
      await server.stop('SIGKILL');
      server = await start();
      api = new Api(server.url);
      restarted();
    }
    await delay(1000);
    stopping = true;
    await Promise.all(workers);
    expect(acknowledgedDecisions.size).toBeGreaterThan(20);

    // Every outbox event reaches the receiver; leases of attempts cut short by a kill run out on the moved clock.
    const db = new BetterSqlite3(join(dir, 'data', 'signoff.db'), { readonly: true });
    const subscribedAt = sub.body.createdDateTime as string;
    const outboxIds = () => (db.prepare('select id from outbox where occurred_at >= ?').all(subscribedAt) as { id: string }[]).map((r) => r.id);
    let missing: string[] = [];
    for (let i = 0; i < 60; i++) {
      const seen = new Set(receiver.at('/crash').map((r) => r.webhookId));
      missing = outboxIds().filter((id) => !seen.has(id));
      if (missing.length === 0) break;
      if (i % 4 === 3) await api.post('/dev/clock', { advance: 'PT15M' });
      await delay(500);
    }
    db.close();
    expect(missing).toEqual([]);
    expect(receiver.at('/crash').every((r) => r.verified)).toBe(true);

    const verify = await api.get('/signoff/v1/audit/verify', 'admin');
    expect(verify.body).toMatchObject({ valid: true, firstBrokenLink: null });
    await server.stop('SIGTERM');
    server = null;

    const file = new BetterSqlite3(join(dir, 'data', 'signoff.db'), { readonly: true });
    try {
      const count = (sql: string, ...args: unknown[]) => new Map((file.prepare(sql).all(...args) as { k: string; n: number }[]).map((r) => [r.k, r.n]));
      const auditBy = (action: string) => count('select target_id as k, count(*) as n from audit_events where action = ? group by target_id', action);
      const outboxBy = (type: string, key: string) => count(`select json_extract(payload, '$.${key}') as k, count(*) as n from outbox where event_type = ? group by k`, type);

      const stages = file.prepare("select id, approval_id, review_result from approval_stages where review_result != 'NotReviewed'").all() as { id: string; approval_id: string; review_result: string }[];
      for (const [stageId, result] of acknowledgedDecisions) expect(stages.find((s) => s.id === stageId)?.review_result, `decision on ${stageId}`).toBe(result);
      const decidedAudit = auditBy('stage.decided');
      const decidedOutbox = outboxBy('stage.decided', 'stageId');
      expect(decidedAudit.size).toBe(stages.length);
      expect(decidedOutbox.size).toBe(stages.length);
      for (const s of stages) {
        expect(decidedAudit.get(s.id), `audit of ${s.id}`).toBe(1);
        expect(decidedOutbox.get(s.id), `outbox of ${s.id}`).toBe(1);
      }

      const requests = file.prepare('select id, status from requests where principal_id like ?').all('00000000-0000-4000-8000-%') as { id: string; status: string }[];
      for (const id of acknowledgedRequests) expect(requests.some((r) => r.id === id), `request ${id}`).toBe(true);
      const stagesOf = new Map<string, string[]>();
      for (const row of file.prepare('select approval_id, review_result from approval_stages order by stage_index').all() as { approval_id: string; review_result: string }[]) {
        stagesOf.set(row.approval_id, [...(stagesOf.get(row.approval_id) ?? []), row.review_result]);
      }
      const assignments = count('select request_id as k, count(*) as n from assignments group by request_id');
      const created = [auditBy('request.created'), outboxBy('request.created', 'requestId')];
      const granted = [auditBy('request.granted'), outboxBy('request.granted', 'requestId')];
      const denied = [auditBy('request.denied'), outboxBy('request.denied', 'requestId')];
      for (const r of requests) {
        const results = stagesOf.get(r.id) ?? [];
        for (const m of created) expect(m.get(r.id)).toBe(1);
        if (results.includes('Deny')) {
          expect(r.status, `request ${r.id} with a denied stage`).toBe('Denied');
          for (const m of denied) expect(m.get(r.id)).toBe(1);
        } else if (results.length > 0 && results.every((x) => x === 'Approve')) {
          expect(['Granted', 'Provisioned'], `request ${r.id} with every stage approved`).toContain(r.status);
          for (const m of granted) expect(m.get(r.id)).toBe(1);
          expect(assignments.get(r.id)).toBe(1);
        } else {
          expect(r.status, `request ${r.id} still waiting`).toBe('PendingApproval');
          for (const m of [...granted, ...denied]) expect(m.get(r.id)).toBeUndefined();
          expect(assignments.get(r.id)).toBeUndefined();
        }
      }
    } finally {
      file.close();
    }
  }, 180_000);
});
