import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../app/services.js';
import { randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { addMilliseconds } from '../domain/time.js';
import { acquireLease, releaseLease } from '../store/leases-repo.js';
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from '../store/schema.js';
import {
  type AttemptOutcome, type DueDelivery, type OutboxEvent, abandonDelivery, activeSubscriptionsById, claimDelivery, dueDeliveries, fanOutOutbox, recordAttempt,
} from '../store/webhooks-repo.js';
import { type SerialLoop, startSerialLoop } from '../timers/serial-loop.js';
import { type SubscriptionKind, subscribedTypes } from './event-types.js';
import { chatBody, eventContext, webhookBody } from './event-message.js';
import { postWebhook } from './post-webhook.js';
import { RefusedAddressError, guardedLookup } from './receiver-address.js';
import { retryDelayMs } from './retry-schedule.js';
import { signatureHeaders } from './sign.js';

export interface OutboxReport {
  fannedOut: number;
  delivered: number;
  failedAttempts: number;
}

/** `runNow()` fans out new outbox events and sends every due delivery. */
export type OutboxWorker = SerialLoop<OutboxReport>;

export interface OutboxWorkerOptions {
  readonly intervalMs: number;
  /** How long one attempt may take before it counts as failed. */
  readonly timeoutMs: number;
  /** Where chat messages link to: the web inbox. */
  readonly inboxUrl: string;
  readonly log: FastifyBaseLogger;
  readonly random?: () => number;
  /** Real time for `webhook-timestamp`: receivers check it against their own clock to refuse replays, so it must not follow the dev clock. */
  readonly wallClockMs?: () => number;
  /** Resolves receivers' host names (DNS by default); tests name hosts that resolve where they need. */
  readonly lookup?: LookupFunction;
  /**
   * Runs before each run of the loop: an instance picks up a clock another instance moved, so its
   * sender lease and delivery claims are read on the same clock as theirs.
   */
  readonly beforeRun?: () => Promise<void>;
}

const BATCH = 100;
/**
 * One instance at a time sends, so each subscription's events leave in the order they happened
 * even when several instances share the store; fan-out stays exactly-once through its cursor.
 */
const SENDER_LEASE = 'webhook-sender';
/** Bounds one run, so a flood of events cannot keep a run (and `stop`) going for ever. */
const MAX_BATCHES_PER_RUN = 50;

function wants(s: WebhookSubscriptionRow, e: OutboxEvent): boolean {
  return subscribedTypes(s.kind as SubscriptionKind, JSON.parse(s.event_types) as string[]).has(e.event_type);
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof RefusedAddressError) return error.message;
  const e = error as { name?: string; code?: string; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `No response within ${timeoutMs} ms.`;
  return e?.code ?? e?.message ?? String(error);
}

export function createOutboxWorker(services: Services, options: OutboxWorkerOptions): { runOnce(): Promise<OutboxReport> } {
  const random = options.random ?? Math.random;
  const wallClockMs = options.wallClockMs ?? Date.now;
  const lookup = guardedLookup(options.lookup);
  const { store } = services;
  const holder = randomUUID();

  async function attempt(delivery: WebhookDeliveryRow, event: OutboxEvent, subscription: WebhookSubscriptionRow): Promise<AttemptOutcome> {
    const context = await eventContext(store.db, event);
    const body = subscription.kind === 'chat' ? chatBody(event, context, options.inboxUrl) : webhookBody(event, context);
    const headers = { 'content-type': 'application/json', 'user-agent': 'Signoff-Webhooks/1', ...signatureHeaders(subscription.secret, event.id, Math.floor(wallClockMs() / 1000), body) };
    const attemptedAt = services.clock.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await postWebhook(subscription.url, { headers, body, timeoutMs: options.timeoutMs, lookup });
      if (statusCode < 200 || statusCode >= 300) error = `The receiver answered ${statusCode}.`;
    } catch (e) {
      error = describeFailure(e, options.timeoutMs);
    }
    const finishedAt = services.clock.now();
    const base = { attemptedAt, finishedAt, statusCode, error, durationMs: Math.round(performance.now() - started) };
    if (error === null) return { ...base, status: 'delivered', nextAttemptAt: null };
    const delay = retryDelayMs(delivery.attempts + 1, random());
    return delay === null ? { ...base, status: 'failed', nextAttemptAt: null } : { ...base, status: 'pending', nextAttemptAt: addMilliseconds(finishedAt, delay) };
  }

  /**
   * One subscription's due deliveries in event order, so a receiver sees a request's events as they
   * happened. The first failure ends the subscription's turn: a receiver that is down gets one
   * attempt per run, not one per waiting event. Returns whether the receiver failed.
   */
  async function sendInOrder(items: readonly DueDelivery[], subscription: WebhookSubscriptionRow | undefined, report: OutboxReport): Promise<boolean> {
    for (const { delivery, event } of items) {
      const now = services.clock.now();
      if (!subscription) {
        await store.transaction((tx) => abandonDelivery(tx, delivery.id, now, 'The subscription was deleted.'));
        continue;
      }
      if (!(await holdLease())) return false;
      if (!(await store.transaction((tx) => claimDelivery(tx, delivery, addMilliseconds(now, options.timeoutMs + 60_000))))) continue;
      const outcome = await attempt(delivery, event, subscription);
      await recordAttempt(store, delivery, outcome);
      if (outcome.status === 'delivered') {
        report.delivered++;
      } else {
        report.failedAttempts++;
        return true;
      }
    }
    return false;
  }

  /**
   * Takes or renews the sender lease for one attempt's time. It follows Signoff's clock, as the
   * deliveries' own claims do, so a holder killed mid-run frees it as they are freed.
   */
  const holdLease = () => {
    const now = Date.parse(services.clock.now());
    return store.transaction((tx) => acquireLease(tx, SENDER_LEASE, holder, now, now + options.timeoutMs + 15_000));
  };

  async function sendDue(report: OutboxReport): Promise<void> {
    const failing: string[] = [];
    for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
      if (i > 0 && !(await holdLease())) return;
      const due = await dueDeliveries(store.db, services.clock.now(), BATCH, failing);
      if (due.length === 0) return;
      const subscriptionIds = [...new Set(due.map((d) => d.delivery.subscription_id))];
      const subscriptions = await activeSubscriptionsById(store.db, subscriptionIds);
      // Receivers are independent: a slow one must not hold up the others.
      await Promise.all(subscriptionIds.map(async (id) => {
        if (await sendInOrder(due.filter((d) => d.delivery.subscription_id === id), subscriptions.get(id), report)) failing.push(id);
      }));
    }
  }

  return {
    async runOnce() {
      const report: OutboxReport = { fannedOut: 0, delivered: 0, failedAttempts: 0 };
      for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
        const n = await fanOutOutbox(store, services.clock.now(), services.newId, wants, BATCH);
        report.fannedOut += n;
        if (n < BATCH) break;
      }
      // Another instance is sending; it (or the next run here) sends these, in order.
      if (!(await holdLease())) return report;
      try {
        await sendDue(report);
      } finally {
        await store.transaction((tx) => releaseLease(tx, SENDER_LEASE, holder));
      }
      return report;
    },
  };
}

/** Runs the outbox worker every `intervalMs`, one run at a time, until stopped. */
export function startOutboxWorker(services: Services, options: OutboxWorkerOptions): OutboxWorker {
  const worker = createOutboxWorker(services, options);
  return startSerialLoop(async () => {
    await options.beforeRun?.();
    return worker.runOnce();
  }, options.intervalMs, (r) => {
    if (r.failedAttempts > 0) options.log.warn({ outbox: r }, 'webhook deliveries failed; will retry');
  }, (err) => options.log.warn({ err }, 'outbox run failed; will retry'));
}
