import { DomainError } from '../domain/errors.js';
import { EVENT_TYPES, type SubscriptionKind } from '../notify/event-types.js';
import { refusedUrlHost } from '../notify/receiver-address.js';
import { isValidWebhookSecret, newWebhookSecret } from '../notify/sign.js';
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from '../store/schema.js';
import {
  type DeliveryPage, deactivateSubscription, getDelivery, getSubscription, insertSubscription, listDeliveries, listSubscriptions, requeueDelivery,
} from '../store/webhooks-repo.js';
import type { Instant } from '../domain/time.js';
import { appendEvents } from '../store/events-repo.js';
import type { Db } from '../store/store.js';
import type { Caller } from './authorization.js';
import type { Actor, Services } from './services.js';

export interface SubscriptionInput {
  readonly url: string;
  readonly kind: SubscriptionKind;
  readonly eventTypes: readonly string[];
  readonly secret: string | null;
  readonly description: string | null;
}

/**
 * Webhook settings are Signoff's own configuration, so their changes go to the audit log only:
 * the outbox carries what downstream systems act on (access), and no subscriber asks for these.
 */
async function auditChange(tx: Db, services: Services, actor: Actor, now: Instant, change: { action: string; targetType: string; targetId: string; before: unknown; after: unknown }): Promise<void> {
  await appendEvents(tx, services.store.dialect, [{
    id: services.newId(), occurredAt: now, actorId: actor.userId, action: change.action, targetType: change.targetType, targetId: change.targetId,
    requestId: null, correlationId: actor.correlationId, clientIp: actor.clientIp, before: change.before, after: change.after,
  }], []);
}

/** What the audit log keeps of a subscription: never its secret. */
function auditView(s: { url: string; kind: string; eventTypes: readonly string[]; description: string | null }): Record<string, unknown> {
  return { url: s.url, kind: s.kind, eventTypes: s.eventTypes, description: s.description };
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only Signoff administrators may manage webhooks.');
}

/**
 * Only http(s) URLs with a host: a receiver is a web endpoint, never a file or another scheme, and
 * never an address `refusedUrlHost` names.
 */
function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError('INVALID_REQUEST', `'${raw}' is not an absolute URL; give an http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('INVALID_REQUEST', `Webhook URLs must use http or https, not '${url.protocol.replace(/:$/, '')}'.`);
  if (!url.hostname) throw new DomainError('INVALID_REQUEST', 'The webhook URL has no host.');
  if (url.username || url.password) throw new DomainError('INVALID_REQUEST', 'The webhook URL must not carry credentials; use the signing secret to authenticate Signoff.');
  // A host name is checked where it is resolved, at each delivery (outbox-worker.ts).
  const refused = refusedUrlHost(url);
  if (refused) throw new DomainError('INVALID_REQUEST', `Webhook URLs may not point at link-local, cloud metadata or unspecified addresses: ${refused}. Loopback and private addresses are allowed.`);
  return url.toString();
}

function checkEventTypes(types: readonly string[]): string[] {
  const known = new Set<string>(EVENT_TYPES);
  const unknown = types.filter((t) => !known.has(t));
  if (unknown.length > 0) throw new DomainError('INVALID_REQUEST', `Unknown event type(s) ${unknown.map((t) => `'${t}'`).join(', ')}; known: ${EVENT_TYPES.join(', ')}.`);
  return [...new Set(types)];
}

/** Creates a subscription; the secret is returned here and never again. */
export async function createSubscription(services: Services, caller: Caller, actor: Actor, input: SubscriptionInput): Promise<{ subscription: WebhookSubscriptionRow; secret: string }> {
  requireAdmin(caller);
  const url = checkUrl(input.url);
  const eventTypes = checkEventTypes(input.eventTypes);
  if (input.secret !== null && !isValidWebhookSecret(input.secret)) {
    throw new DomainError('INVALID_REQUEST', "The secret must be 'whsec_' followed by base64 of 24 to 64 random bytes; omit it to have one generated.");
  }
  const secret = input.secret ?? newWebhookSecret();
  const id = services.newId();
  const now = services.clock.now();
  const subscription = await services.store.transaction(async (tx) => {
    await insertSubscription(tx, { id, kind: input.kind, url, eventTypes, secret, description: input.description, createdBy: caller.userId, createdAt: now });
    await auditChange(tx, services, actor, now, { action: 'webhook.created', targetType: 'webhookSubscription', targetId: id, before: null, after: auditView({ ...input, url, eventTypes }) });
    return (await getSubscription(tx, id))!;
  });
  return { subscription, secret };
}

export async function listSubscriptionsForAdmin(services: Services, caller: Caller, limit: number, afterId: string | null): Promise<WebhookSubscriptionRow[]> {
  requireAdmin(caller);
  return listSubscriptions(services.store.db, limit, afterId);
}

async function existingSubscription(services: Services, id: string): Promise<WebhookSubscriptionRow> {
  const found = await getSubscription(services.store.db, id);
  if (!found) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `No webhook subscription '${id}'.`);
  return found;
}

export async function getSubscriptionForAdmin(services: Services, caller: Caller, id: string): Promise<WebhookSubscriptionRow> {
  requireAdmin(caller);
  return existingSubscription(services, id);
}

export async function deleteSubscription(services: Services, caller: Caller, actor: Actor, id: string): Promise<void> {
  requireAdmin(caller);
  const now = services.clock.now();
  await services.store.transaction(async (tx) => {
    const found = await getSubscription(tx, id);
    if (!found || !(await deactivateSubscription(tx, id, now))) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `No webhook subscription '${id}'.`);
    const before = auditView({ url: found.url, kind: found.kind, eventTypes: JSON.parse(found.event_types) as string[], description: found.description });
    await auditChange(tx, services, actor, now, { action: 'webhook.deleted', targetType: 'webhookSubscription', targetId: id, before, after: null });
  });
}

export async function listDeliveriesForAdmin(services: Services, caller: Caller, subscriptionId: string, limit: number, before: { seq: number; id: string } | null): Promise<DeliveryPage> {
  requireAdmin(caller);
  await existingSubscription(services, subscriptionId);
  return listDeliveries(services.store.db, subscriptionId, limit, before);
}

/** Queues a delivery again (whatever its state) with a fresh retry schedule and the same webhook-id. */
export async function redeliver(services: Services, caller: Caller, actor: Actor, deliveryId: string): Promise<WebhookDeliveryRow> {
  requireAdmin(caller);
  const now = services.clock.now();
  return services.store.transaction(async (tx) => {
    const delivery = await getDelivery(tx, deliveryId);
    if (!delivery) throw new DomainError('DELIVERY_NOT_FOUND', `No webhook delivery '${deliveryId}'.`);
    if (!(await getSubscription(tx, delivery.subscription_id))) throw new DomainError('SUBSCRIPTION_NOT_FOUND', `The subscription of delivery '${deliveryId}' was deleted.`);
    await requeueDelivery(tx, deliveryId, now);
    await auditChange(tx, services, actor, now, {
      action: 'webhook.redelivered', targetType: 'webhookDelivery', targetId: deliveryId,
      before: { status: delivery.status, attempts: delivery.attempts }, after: { status: 'pending', attempts: 0, webhookId: delivery.event_id },
    });
    return (await getDelivery(tx, deliveryId))!;
  });
}
