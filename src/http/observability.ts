import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../app/services.js';

export interface Observability {
  readonly registry: Registry;
}

/** Which family a decision route belongs to, read from its path (Graph and ARM alike). */
function familyOfPath(path: string): string {
  if (path.includes('/roleAssignmentApprovals') && path.includes('Microsoft.Authorization')) return 'azureRole';
  if (path.includes('/roleAssignmentApprovals')) return 'directoryRole';
  if (path.includes('/privilegedAccess/group/')) return 'group';
  if (path.includes('/entitlementManagement/')) return 'accessPackage';
  return 'other';
}

function decisionOf(request: FastifyRequest): string | null {
  const body = request.body as { reviewResult?: unknown; properties?: { reviewResult?: unknown } } | undefined;
  const value = body?.reviewResult ?? body?.properties?.reviewResult;
  return typeof value === 'string' ? (value.toLowerCase().startsWith('d') ? 'Deny' : 'Approve') : null;
}

async function countOrZero(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch {
    return 0;
  }
}

/**
 * One JSON log line per request (id, route, status, duration, caller — never tokens) and the
 * Prometheus series operators watch: traffic, decisions, pending work, timer lag, outbox backlog.
 */
export function registerObservability(app: FastifyInstance, services: Services, metricsToken: string | null = null): Observability {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'signoff_process_' });
  const requests = new Counter({ name: 'signoff_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'signoff_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  const decisions = new Counter({ name: 'signoff_decisions_total', help: 'Approval decisions by family and result (conflict = lost to an earlier decision)', labelNames: ['family', 'result'], registers: [registry] });
  const db = () => services.store.db;
  new Gauge({
    name: 'signoff_pending_approvals', help: 'Approvals waiting for a decision, by family', labelNames: ['family'], registers: [registry],
    async collect() {
      this.reset();
      const rows = await countOrZero(async () => {
        const result = await db().selectFrom('requests').select(['family', sql<number>`count(*)`.as('n')]).where('status', '=', 'PendingApproval').groupBy('family').execute();
        for (const r of result) this.set({ family: r.family }, Number(r.n));
        return result.length;
      });
      void rows;
    },
  });
  new Gauge({
    name: 'signoff_timer_lag_seconds', help: 'Age of the oldest stage deadline that has passed but is not yet applied', registers: [registry],
    async collect() {
      const now = services.clock.now();
      const oldest = await countOrZero(async () => {
        const row = await db().selectFrom('approval_stages').select(sql<string>`min(expire_at)`.as('at'))
          .where('status', 'in', ['InProgress', 'Escalated']).where('expire_at', '<=', now).executeTakeFirst();
        return row?.at ? (Date.parse(now) - Date.parse(row.at)) / 1000 : 0;
      });
      this.set(oldest);
    },
  });
  new Gauge({
    name: 'signoff_outbox_backlog', help: 'Outbox events not yet dispatched to webhook deliveries', registers: [registry],
    async collect() {
      this.set(await countOrZero(async () => {
        const row = await db().selectFrom('outbox').select(sql<number>`count(*)`.as('n')).where('dispatched_at', 'is', null).executeTakeFirst();
        return Number(row?.n ?? 0);
      }));
    },
  });
  new Gauge({
    name: 'signoff_webhook_deliveries_failed', help: 'Webhook deliveries that exhausted their retries', registers: [registry],
    async collect() {
      this.set(await countOrZero(async () => {
        const row = await sql<{ n: number }>`select count(*) as n from webhook_deliveries where status = 'failed'`.execute(db());
        return Number(row.rows[0]?.n ?? 0);
      }));
    },
  });
  new Gauge({
    name: 'signoff_store_pool_connections', help: 'Store connections by state (PostgreSQL pool; SQLite has one)', labelNames: ['state'], registers: [registry],
    collect() {
      const pool = (services.store as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
      if (pool) {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      } else {
        this.set({ state: 'total' }, 1);
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ method: request.method, route, status: String(status) });
    latency.observe({ method: request.method, route }, seconds);
    if ((request.method === 'PATCH' || request.method === 'PUT') && /\/(steps|stages)\/[^/?]+(\?|$)/.test(request.url)) {
      const decision = decisionOf(request);
      if (status < 300 && decision) decisions.inc({ family: familyOfPath(request.url), result: decision });
      else if (status === 409) decisions.inc({ family: familyOfPath(request.url), result: 'conflict' });
    }
    request.log.info({
      requestId: request.id, method: request.method, route, url: request.url.split('?')[0], status,
      durationMs: Math.round(reply.elapsedTime * 100) / 100, callerId: request.caller?.userId ?? null,
    }, 'request');
  });

  const expected = metricsToken ? Buffer.from(`Bearer ${metricsToken}`) : null;
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const sent = Buffer.from(request.headers.authorization ?? '');
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="signoff-metrics"').type('text/plain').send('401: /metrics needs the bearer token set in SIGNOFF_METRICS_TOKEN.\n');
      }
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return { registry };
}
