import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  createSubscription, deleteSubscription, getSubscriptionForAdmin, listDeliveriesForAdmin, listSubscriptionsForAdmin, redeliver,
} from '../../app/webhooks.js';
import type { WebhookAttempt } from '../../store/webhooks-repo.js';
import type { WebhookDeliveryRow, WebhookSubscriptionRow } from '../../store/schema.js';
import { decodeSkipToken, encodeSkipToken, nextLink, pageSize } from '../graph/odata.js';
import type { SignoffApiDeps } from './signoff-api-plugin.js';

const CreateBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  kind: Type.Optional(Type.Union([Type.Literal('webhook'), Type.Literal('chat')])),
  eventTypes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 })),
  secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const PageQuery = Type.Object({
  $top: Type.Optional(Type.String({ maxLength: 10 })),
  top: Type.Optional(Type.String({ maxLength: 10 })),
  $skiptoken: Type.Optional(Type.String({ maxLength: 500 })),
  skiptoken: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

function subscriptionShape(s: WebhookSubscriptionRow) {
  return {
    id: s.id, kind: s.kind, url: s.url, eventTypes: JSON.parse(s.event_types) as string[], description: s.description,
    createdBy: s.created_by, createdDateTime: s.created_at, active: s.active === 1,
  };
}

function deliveryShape(d: WebhookDeliveryRow, attempts: readonly WebhookAttempt[]) {
  return {
    id: d.id, subscriptionId: d.subscription_id, webhookId: d.event_id, eventType: d.event_type, requestId: d.request_id,
    status: d.status, attempts: d.attempts, nextAttemptDateTime: d.status === 'pending' ? d.next_attempt_at : null,
    lastAttemptDateTime: d.last_attempt_at, lastStatusCode: d.last_status, lastError: d.last_error,
    createdDateTime: d.created_at, deliveredDateTime: d.delivered_at,
    attemptHistory: attempts.map((a) => ({ attempt: a.attempt, attemptedDateTime: a.attempted_at, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  };
}

const isAfterId = (v: unknown): v is { afterId: string } => typeof v === 'object' && v !== null && typeof (v as { afterId: unknown }).afterId === 'string';
const isBefore = (v: unknown): v is { seq: number; id: string } => typeof v === 'object' && v !== null && typeof (v as { seq: unknown }).seq === 'number' && typeof (v as { id: unknown }).id === 'string';

function page<T>(request: FastifyRequest, value: T[], position: object | null) {
  return { value, ...(position ? { '@odata.nextLink': nextLink(request, encodeSkipToken(position)) } : {}) };
}

/** Webhook subscriptions and their deliveries; administrators only (checked by the use cases). */
export function registerWebhookRoutes(app: FastifyInstance, deps: SignoffApiDeps): void {
  const { services, callerOf, actorOf } = deps;

  app.post<{ Body: Type.Static<typeof CreateBody> }>('/webhooks', { schema: { body: CreateBody } }, async (request, reply) => {
    const body = request.body;
    const { subscription, secret } = await createSubscription(services, callerOf(request), actorOf(request), {
      url: body.url, kind: body.kind ?? 'webhook', eventTypes: body.eventTypes ?? [], secret: body.secret ?? null, description: body.description ?? null,
    });
    // The secret is shown here only: receivers store it, Signoff never returns it again.
    return reply.code(201).send({ ...subscriptionShape(subscription), secret });
  });

  app.get<{ Querystring: Type.Static<typeof PageQuery> }>('/webhooks', { schema: { querystring: PageQuery } }, async (request) => {
    const limit = pageSize(request.query);
    const after = decodeSkipToken(request.query, isAfterId);
    const rows = await listSubscriptionsForAdmin(services, callerOf(request), limit + 1, after?.afterId ?? null);
    const shown = rows.slice(0, limit);
    return page(request, shown.map(subscriptionShape), rows.length > limit ? { afterId: shown[shown.length - 1]!.id } : null);
  });

  app.get<{ Params: Type.Static<typeof IdParams> }>('/webhooks/:id', { schema: { params: IdParams } }, async (request) => (
    subscriptionShape(await getSubscriptionForAdmin(services, callerOf(request), request.params.id))
  ));

  app.delete<{ Params: Type.Static<typeof IdParams> }>('/webhooks/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await deleteSubscription(services, callerOf(request), actorOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Type.Static<typeof IdParams>; Querystring: Type.Static<typeof PageQuery> }>('/webhooks/:id/deliveries', { schema: { params: IdParams, querystring: PageQuery } }, async (request) => {
    const limit = pageSize(request.query);
    const result = await listDeliveriesForAdmin(services, callerOf(request), request.params.id, limit + 1, decodeSkipToken(request.query, isBefore));
    const shown = result.deliveries.slice(0, limit);
    const last = shown[shown.length - 1];
    return page(request, shown.map((d) => deliveryShape(d, result.attempts.get(d.id) ?? [])), result.deliveries.length > limit && last ? { seq: Number(last.outbox_seq), id: last.id } : null);
  });

  app.post<{ Params: Type.Static<typeof IdParams> }>('/webhooks/deliveries/:id/redeliver', { schema: { params: IdParams } }, async (request, reply) => {
    const delivery = await redeliver(services, callerOf(request), actorOf(request), request.params.id);
    return reply.code(202).send(deliveryShape(delivery, []));
  });
}
