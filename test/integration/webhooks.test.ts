import { lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../src/notify/retry-schedule.js';
import { DEMO } from '../support/demo.js';
import { Api, activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer, testStores } from '../support/test-server.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const APPROVALS = '/beta/roleManagement/directory/roleAssignmentApprovals';
const WEBHOOKS = '/signoff/v1/webhooks';
const { alice, bob } = DEMO.users;
const HOUR = 3_600_000;

/** Host names the test server resolves itself: one where cloud metadata services answer, one on loopback. */
const TEST_HOSTS: Readonly<Record<string, string>> = { 'metadata.signoff.test': '169.254.169.254', 'receiver.signoff.test': '127.0.0.1' };
const testLookup: LookupFunction = (hostname, options, callback) => {
  const address = TEST_HOSTS[hostname];
  if (!address) return lookup(hostname, options, callback);
  if (options.all) return callback(null, [{ address, family: 4 }]);
  return callback(null, address, 4);
};

function expectError(res: { status: number; body: any }, code: keyof typeof GRAPH_ERRORS) {
  expect(res.status).toBe(GRAPH_ERRORS[code].status);
  expect(res.body.error.code).toBe(GRAPH_ERRORS[code].code);
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

describe.each(testStores())('webhooks from the outbox (%s store)', (store) => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.close());
  // Attempts that hang give up after 300 ms of real time; retries follow the dev clock.
  const signoff = useTestServer({ store, env: { SIGNOFF_WEBHOOK_TIMEOUT_MS: '300', SIGNOFF_PUBLIC_URL: 'https://signoff.example' }, webhookLookup: testLookup });

  const deliver = () => signoff.server.running.outbox.runNow();

  async function subscribe(path: string, extra: Record<string, unknown> = {}, on: Api = signoff.api) {
    const res = await on.post(WEBHOOKS, { url: `${receiver.url}${path}`, ...extra }, 'admin');
    expect(res.status, res.text).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_/);
    receiver.secretFor(path, res.body.secret);
    return res.body;
  }

  async function deliveriesOf(subscriptionId: string) {
    const res = await signoff.api.get(`${WEBHOOKS}/${subscriptionId}/deliveries`, 'admin');
    expect(res.status, res.text).toBe(200);
    return res.body.value as any[];
  }

  it('signs every event of a request → approve flow, delivers each once and in order, and tells the outcome', async () => {
    const sub = await subscribe('/flow');
    const chat = await subscribe('/chat', { kind: 'chat' });
    const listed = await signoff.api.get(WEBHOOKS, 'admin');
    expect(listed.body.value.map((s: any) => s.id)).toEqual(expect.arrayContaining([sub.id, chat.id]));
    expect(listed.body.value.every((s: any) => s.secret === undefined)).toBe(true);

    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);
    const steps = await signoff.api.get(`${APPROVALS}/${created.body.id}/steps`, 'bob');
    const approved = await signoff.api.patch(`${APPROVALS}/${created.body.id}/steps/${steps.body.value[0].id}`, { reviewResult: 'Approve', justification: 'Ticket checked' }, 'bob');
    expect(approved.status).toBe(204);

    await deliver();
    const got = receiver.at('/flow').filter((r) => r.body.data.requestId === created.body.id);
    expect(got.map((r) => r.body.type)).toEqual(['request.created', 'stage.started', 'stage.decided', 'request.granted', 'assignment.started']);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(got.length);
    const granted = got.find((r) => r.body.type === 'request.granted')!;
    expect(granted.body.data.decidedBy).toMatchObject({ id: bob, userPrincipalName: 'bob@contoso.com' });
    expect(granted.body.data.requestor).toMatchObject({ id: alice, userPrincipalName: 'alice@contoso.com' });

    const chatted = receiver.at('/chat').map((r) => r.body.text as string);
    expect(chatted.some((t) => t.includes('Alice') && t.includes('https://signoff.example/'))).toBe(true);
    expect(chatted.some((t) => /approved by Bob/.test(t))).toBe(true);
    expect(receiver.at('/chat').every((r) => r.verified)).toBe(true);

    // Running again sends nothing more: every event reached the receiver exactly once.
    const before = receiver.received.length;
    await deliver();
    expect(receiver.received.length).toBe(before);
    const deliveries = await deliveriesOf(sub.id);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1 && d.attemptHistory.length === 1)).toBe(true);

    expect((await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' })).status).toBe(204);
    expect((await signoff.api.call('DELETE', `${WEBHOOKS}/${chat.id}`, { as: 'admin' })).status).toBe(204);
    expectError(await signoff.api.get(`${WEBHOOKS}/${sub.id}`, 'admin'), 'SUBSCRIPTION_NOT_FOUND');
    // Subscription changes are audited, never with their secret.
    const audit = await signoff.api.get(`/signoff/v1/audit?target=${sub.id}`, 'admin');
    expect(audit.body.value.map((e: any) => e.action)).toEqual(['webhook.deleted', 'webhook.created']);
    expect(audit.body.value[1]).toMatchObject({ initiatedBy: { user: { userPrincipalName: 'admin@contoso.com' } }, after: { url: `${receiver.url}/flow`, kind: 'webhook' } });
    expect(audit.text).not.toContain(sub.secret);
  });

  it('retries a failing or silent receiver with growing delays on the injected clock, with the same webhook-id, until it succeeds', async () => {
    const sub = await subscribe('/flaky', { eventTypes: ['request.created'] });
    receiver.behave('/flaky', 500, 'hang', 503, 200);
    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);

    const gaps: number[] = [];
    await deliver();
    for (let attempt = 2; attempt <= 4; attempt++) {
      const [pending] = await deliveriesOf(sub.id);
      expect(pending).toMatchObject({ status: 'pending', attempts: attempt - 1 });
      const wait = Date.parse(pending.nextAttemptDateTime) - Date.parse(pending.lastAttemptDateTime);
      gaps.push(wait);
      // Not due yet: nothing is sent before the delay has passed.
      const seen = receiver.at('/flaky').length;
      await deliver();
      expect(receiver.at('/flaky').length).toBe(seen);
      signoff.server.clock.advance(wait + 1000);
      await deliver();
      expect(receiver.at('/flaky').length).toBe(seen + 1);
    }
    for (const [i, gap] of gaps.entries()) {
      expect(gap).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i]!);
      if (i > 0) expect(gap).toBeGreaterThan(gaps[i - 1]!);
    }
    const [done] = await deliveriesOf(sub.id);
    expect(done).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200 });
    expect(done.attemptHistory.map((a: any) => a.statusCode)).toEqual([500, null, 503, 200]);
    expect(done.attemptHistory[1].error).toMatch(/No response/);
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.webhookId))).toEqual(new Set([done.webhookId]));
    expect(got.every((r) => r.verified)).toBe(true);
    await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' });
    await signoff.api.post(`${REQUESTS}/${created.body.id}/cancel`, undefined, 'alice');
  });

  it('gives a receiver that is down one attempt per run, oldest event first, then sends the backlog in order', async () => {
    const sub = await subscribe('/backlog', { eventTypes: ['request.created', 'stage.started'] });
    receiver.behave('/backlog', 500);
    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);
    await deliver();
    expect(receiver.at('/backlog').map((r) => r.body.type)).toEqual(['request.created']);
    await deliver();
    expect(receiver.at('/backlog').map((r) => r.body.type)).toEqual(['request.created', 'stage.started']);
    await deliver();
    expect(receiver.at('/backlog')).toHaveLength(2);

    receiver.behave('/backlog', 200);
    signoff.server.clock.advance(RETRY_DELAYS_MS[0]! * 2);
    await deliver();
    expect(receiver.at('/backlog').slice(2).map((r) => r.body.type)).toEqual(['request.created', 'stage.started']);
    expect((await deliveriesOf(sub.id)).map((d) => d.status)).toEqual(['delivered', 'delivered']);
    await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' });
    await signoff.api.post(`${REQUESTS}/${created.body.id}/cancel`, undefined, 'alice');
  });

  it('marks a delivery failed once more than 24 hours of retries are exhausted, and redelivers it on request', async () => {
    const sub = await subscribe('/down', { eventTypes: ['request.created'] });
    receiver.behave('/down', 500);
    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);
    await deliver();
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      signoff.server.clock.advance(13 * HOUR);
      await deliver();
    }
    const [failed] = await deliveriesOf(sub.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptDateTime: null, lastStatusCode: 500 });
    const history = failed.attemptHistory as any[];
    expect(history).toHaveLength(MAX_ATTEMPTS);
    expect(Date.parse(history.at(-1).attemptedDateTime) - Date.parse(history[0].attemptedDateTime)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(receiver.at('/down')).toHaveLength(MAX_ATTEMPTS);

    receiver.behave('/down', 200);
    const again = await signoff.api.post(`${WEBHOOKS}/deliveries/${failed.id}/redeliver`, undefined, 'admin');
    expect(again.status, again.text).toBe(202);
    expect(again.body).toMatchObject({ id: failed.id, status: 'pending' });
    await deliver();
    const [redelivered] = await deliveriesOf(sub.id);
    expect(redelivered).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(redelivered.attemptHistory).toHaveLength(MAX_ATTEMPTS + 1);
    const got = receiver.at('/down');
    expect(got).toHaveLength(MAX_ATTEMPTS + 1);
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(1);
    expectError(await signoff.api.post(`${WEBHOOKS}/deliveries/00000000-0000-0000-0000-000000000000/redeliver`, undefined, 'admin'), 'DELIVERY_NOT_FOUND');
    await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' });
    await signoff.api.post(`${REQUESTS}/${created.body.id}/cancel`, undefined, 'alice');
  });

  it('keeps sending after a reset by a restarted server, which did not seed the store it resets', async () => {
    const first = await startTestServer({ store });
    await first.close();
    const again = await startTestServer({ dataDir: first.dataDir, ...(first.databaseUrl ? { databaseUrl: first.databaseUrl } : {}) });
    try {
      const againApi = new Api(again.url);
      expect(again.running.seeded).toBe(false);
      const reset = await againApi.call('POST', '/dev/reset');
      expect(reset.status, reset.text).toBe(200);
      // The reset leaves the rows the migrations made, as a fresh store has them.
      const cursors = await again.running.services.store.db.selectFrom('outbox_cursors').selectAll().execute();
      expect(cursors.map((c) => ({ ...c, last_seq: Number(c.last_seq) }))).toEqual([{ name: 'webhooks', last_seq: 0 }]);
      await subscribe('/after-reset', {}, againApi);
      const created = await againApi.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
      expect(created.status, created.text).toBe(201);
      await again.running.outbox.runNow();
      const got = receiver.at('/after-reset');
      expect(got.map((r) => r.body.type)).toEqual(['request.created', 'stage.started']);
      expect(got.every((r) => r.verified && r.body.data.requestId === created.body.id)).toBe(true);
    } finally {
      await again.destroy();
    }
  });

  it('puts back a missing fan-out cursor where fan-out stopped, and sends each event once', async () => {
    const sub = await subscribe('/cursor');
    const first = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expect(first.status, first.text).toBe(201);
    await deliver();
    // A store whose cursor an older Signoff's reset deleted.
    await signoff.server.running.services.store.transaction((tx) => tx.deleteFrom('outbox_cursors').execute());
    expect((await signoff.api.post(`${REQUESTS}/${first.body.id}/cancel`, undefined, 'alice')).status).toBe(204);
    const second = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
    expect(second.status, second.text).toBe(201);
    await deliver();
    expect(receiver.at('/cursor').map((r) => [r.body.data.requestId, r.body.type])).toEqual([
      [first.body.id, 'request.created'], [first.body.id, 'stage.started'], [first.body.id, 'request.canceled'],
      [second.body.id, 'request.created'], [second.body.id, 'stage.started'],
    ]);
    await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' });
    await signoff.api.post(`${REQUESTS}/${second.body.id}/cancel`, undefined, 'alice');
  });

  // Several instances share PostgreSQL; SQLite is one process's store, so the case exists only there.
  if (store === 'postgres') it('fans out and sends each event once when two instances share the store and run together', async () => {
    const twin = await startTestServer({ store, databaseUrl: signoff.server.databaseUrl!, env: { SIGNOFF_WEBHOOK_TIMEOUT_MS: '300' } });
    try {
      twin.clock.set(signoff.server.clock.now());
      const sub = await subscribe('/twins');
      const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.securityAdministrator, alice), 'alice');
      expect(created.status, created.text).toBe(201);
      expect((await signoff.api.post(`${REQUESTS}/${created.body.id}/cancel`, undefined, 'alice')).status).toBe(204);
      await Promise.all([deliver(), twin.running.outbox.runNow(), deliver(), twin.running.outbox.runNow()]);
      const got = receiver.at('/twins');
      expect(got.map((r) => r.body.type)).toEqual(['request.created', 'stage.started', 'request.canceled']);
      expect(new Set(got.map((r) => r.webhookId)).size).toBe(3);
      expect((await deliveriesOf(sub.id)).map((d) => d.attempts)).toEqual([1, 1, 1]);
      await signoff.api.call('DELETE', `${WEBHOOKS}/${sub.id}`, { as: 'admin' });
    } finally {
      await twin.close();
    }
  });

  it('accepts only http(s) URLs, known event types and well-formed secrets, with a clear 400', async () => {
    for (const url of ['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'https://user:pw@example.com/']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expectError(res, 'INVALID_REQUEST');
    }
    expect((await signoff.api.post(WEBHOOKS, { url: 'ftp://example.com/hook' }, 'admin')).body.error.message).toMatch(/http or https/);
    expectError(await signoff.api.post(WEBHOOKS, { url: 'https://example.com/', eventTypes: ['request.exploded'] }, 'admin'), 'INVALID_REQUEST');
    expectError(await signoff.api.post(WEBHOOKS, { url: 'https://example.com/', secret: 'hunter2' }, 'admin'), 'INVALID_REQUEST');
    expectError(await signoff.api.post(WEBHOOKS, { url: 'https://example.com/', colour: 'red' }, 'admin'), 'BAD_REQUEST');
    const given = await signoff.api.post(WEBHOOKS, { url: 'https://example.com/hook', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` }, 'admin');
    expect(given.status).toBe(201);
    expect(given.body.secret).toBe(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    expect((await signoff.api.get(`${WEBHOOKS}/${given.body.id}`, 'admin')).body.secret).toBeUndefined();
    await signoff.api.call('DELETE', `${WEBHOOKS}/${given.body.id}`, { as: 'admin' });
  });

  it('refuses link-local, cloud metadata and unspecified addresses, however written, and keeps loopback and private ones', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://[::ffff:169.254.169.254]/', 'http://[fe80::1]:8080/hook']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expectError(res, 'INVALID_REQUEST');
      expect(res.body.error.message, url).toMatch(/is a link-local address/);
    }
    // NAT64 (64:ff9b::/96) and IPv4-compatible (::/96) addresses reach the IPv4 address in their last 32 bits.
    for (const url of ['http://[64:ff9b::169.254.169.254]/', 'http://[::169.254.169.254]/', 'http://[64:ff9b::100.100.100.200]/']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expectError(res, 'INVALID_REQUEST');
      expect(res.body.error.message, url).toMatch(/reaches (169\.254\.169\.254, which is a link-local|100\.100\.100\.200, which is a cloud metadata service) address/);
    }
    for (const url of ['http://[fd00:ec2::254]/latest/meta-data/', 'http://100.100.100.200/latest/meta-data/']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expectError(res, 'INVALID_REQUEST');
      expect(res.body.error.message, url).toMatch(/is a cloud metadata service address/);
    }
    for (const url of ['http://0.0.0.0:8080/hook', 'http://[::]/hook']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expectError(res, 'INVALID_REQUEST');
      expect(res.body.error.message, url).toMatch(/is an unspecified address/);
    }
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:1/', 'http://[0:0:0:0:0:0:0:1]:1/', 'http://localhost:9/hook', 'http://10.1.2.3/hook', 'http://192.168.0.10/hook',
      'http://100.64.0.1/hook', 'http://[fd00::1]/hook', 'http://[64:ff9b::10.1.2.3]/hook', 'http://metadata.signoff.test/hook']) {
      const res = await signoff.api.post(WEBHOOKS, { url }, 'admin');
      expect(res.status, `${url}: ${res.text}`).toBe(201);
      await signoff.api.call('DELETE', `${WEBHOOKS}/${res.body.id}`, { as: 'admin' });
    }
  });

  it('resolves a receiver\'s host name at each delivery and refuses to connect where it resolves to a link-local address', async () => {
    const port = new URL(receiver.url).port;
    const named = await signoff.api.post(WEBHOOKS, { url: `http://receiver.signoff.test:${port}/named`, eventTypes: ['request.created'] }, 'admin');
    const metadata = await signoff.api.post(WEBHOOKS, { url: `http://metadata.signoff.test:${port}/latest/meta-data/`, eventTypes: ['request.created'] }, 'admin');
    // One made before addresses were checked, as a store upgraded in place may hold.
    const legacy = await signoff.api.post(WEBHOOKS, { url: `${receiver.url}/legacy`, eventTypes: ['request.created'] }, 'admin');
    for (const res of [named, metadata, legacy]) expect(res.status, res.text).toBe(201);
    await signoff.server.running.services.store.transaction((tx) => tx.updateTable('webhook_subscriptions')
      .set({ url: `http://169.254.169.254:${port}/legacy` }).where('id', '=', legacy.body.id).execute());

    const created = await signoff.api.post(REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(created.status, created.text).toBe(201);
    await deliver();

    expect(receiver.at('/named').map((r) => r.body.data.requestId)).toEqual([created.body.id]);
    const [refused] = await deliveriesOf(metadata.body.id);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(refused.attemptHistory[0].error).toMatch(/^Refused to connect: metadata\.signoff\.test resolves to 169\.254\.169\.254, which is a link-local address/);
    const [legacyRefused] = await deliveriesOf(legacy.body.id);
    expect(legacyRefused.attemptHistory[0].error).toMatch(/^Refused to connect: 169\.254\.169\.254 is a link-local address/);

    for (const res of [named, metadata, legacy]) await signoff.api.call('DELETE', `${WEBHOOKS}/${res.body.id}`, { as: 'admin' });
    await signoff.api.post(`${REQUESTS}/${created.body.id}/cancel`, undefined, 'alice');
  });

  it('lets only administrators manage webhooks', async () => {
    expectError(await signoff.api.post(WEBHOOKS, { url: 'https://example.com/' }, 'alice'), 'ACCESS_DENIED');
    expectError(await signoff.api.get(WEBHOOKS, 'dave'), 'ACCESS_DENIED');
    expectError(await signoff.api.call('DELETE', `${WEBHOOKS}/x`, { as: 'bob' }), 'ACCESS_DENIED');
    expectError(await signoff.api.post(`${WEBHOOKS}/deliveries/x/redeliver`, undefined, 'bob'), 'ACCESS_DENIED');
    expectError(await signoff.api.call('GET', WEBHOOKS), 'UNAUTHENTICATED');
  });
});
