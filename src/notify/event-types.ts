import type { DomainEventType } from '../domain/events.js';

/** Every event a subscription can ask for. */
export const EVENT_TYPES = [
  'request.created', 'request.granted', 'request.denied', 'request.canceled',
  'stage.started', 'stage.escalated', 'stage.decided', 'approval.expired',
  'assignment.started', 'assignment.ended', 'policy.updated',
  'eligibility.created', 'eligibility.updated', 'eligibility.removed',
  'breakGlass.activated', 'breakGlass.reviewApproved', 'breakGlass.incident',
] as const satisfies readonly DomainEventType[];

// Fails to compile when the domain gains an event type this list does not offer.
const everyTypeListed: [Exclude<DomainEventType, (typeof EVENT_TYPES)[number]>] extends [never] ? true : never = true;
void everyTypeListed;

/** What a chat subscription posts when it names no types: what approvers act on and the outcome requestors wait for. */
export const CHAT_DEFAULT_EVENT_TYPES: readonly string[] = ['request.created', 'stage.started', 'stage.escalated', 'request.granted', 'request.denied'];

export type SubscriptionKind = 'webhook' | 'chat';

/** Which event types a subscription receives; an empty list means all of them (chat: its defaults). */
export function subscribedTypes(kind: SubscriptionKind, eventTypes: readonly string[]): ReadonlySet<string> {
  if (eventTypes.length > 0) return new Set(eventTypes);
  return new Set(kind === 'chat' ? CHAT_DEFAULT_EVENT_TYPES : EVENT_TYPES);
}
