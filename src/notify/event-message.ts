import { getUsers } from '../directory/directory-repo.js';
import type { Db } from '../store/store.js';
import type { OutboxEvent } from '../store/webhooks-repo.js';

export interface PersonRef {
  readonly id: string;
  readonly userPrincipalName: string | null;
  readonly displayName: string | null;
}

/** Facts a receiver needs that the stored event names only by id. */
export interface EventContext {
  readonly requestor: PersonRef | null;
  readonly decidedBy: PersonRef | null;
  readonly targetDisplayName: string | null;
  readonly justification: string | null;
}

interface OutboxPayload {
  readonly type: string;
  readonly requestId: string | null;
  readonly actorId: string | null;
  readonly data: Record<string, unknown>;
}

function payloadOf(event: OutboxEvent): OutboxPayload {
  return JSON.parse(event.payload) as OutboxPayload;
}

/** Who decided: the reviewer a decision names; an expiry names nobody. */
function deciderId(payload: OutboxPayload): string | null {
  const reviewer = payload.data.reviewerId;
  if (typeof reviewer === 'string') return reviewer;
  return payload.type === 'stage.decided' ? payload.actorId : null;
}

export async function eventContext(db: Db, event: OutboxEvent): Promise<EventContext> {
  const payload = payloadOf(event);
  const request = payload.requestId
    ? await db.selectFrom('requests').select(['principal_id', 'family', 'resource_id', 'justification']).where('id', '=', payload.requestId).executeTakeFirst()
    : undefined;
  const resource = request
    ? await db.selectFrom('resources').select('display_name').where('family', '=', request.family).where('id', '=', request.resource_id).executeTakeFirst()
    : undefined;
  const decider = deciderId(payload);
  const users = await getUsers(db, [request?.principal_id ?? '', decider ?? '']);
  const person = (id: string | null | undefined): PersonRef | null => {
    if (!id) return null;
    const u = users.get(id);
    return { id, userPrincipalName: u?.user_principal_name ?? null, displayName: u?.display_name ?? null };
  };
  return {
    requestor: person(request?.principal_id),
    decidedBy: person(decider),
    targetDisplayName: resource?.display_name ?? request?.resource_id ?? null,
    justification: request?.justification ?? null,
  };
}

/** The JSON body of a signed webhook, in the Standard Webhooks payload shape (type, timestamp, data). */
export function webhookBody(event: OutboxEvent, context: EventContext): string {
  const payload = payloadOf(event);
  return JSON.stringify({
    type: event.event_type,
    timestamp: event.occurred_at,
    data: { ...payload, eventId: event.id, requestor: context.requestor, decidedBy: context.decidedBy, targetDisplayName: context.targetDisplayName },
  });
}

function nameOf(p: PersonRef | null): string {
  return p?.displayName ?? p?.userPrincipalName ?? p?.id ?? 'someone';
}

/** A short line for a Slack- or Teams-compatible incoming webhook (both read `text`), linking to the web inbox. */
export function chatBody(event: OutboxEvent, context: EventContext, inboxUrl: string): string {
  const payload = payloadOf(event);
  const who = nameOf(context.requestor);
  const what = context.targetDisplayName ?? 'access';
  let text: string;
  switch (event.event_type) {
    case 'request.created':
      text = `${who} requests ${what}${context.justification ? `: "${context.justification}"` : ''}. Review it in Signoff: ${inboxUrl}`;
      break;
    case 'stage.started':
    case 'stage.escalated':
      text = `${who}'s request for ${what} is waiting for a decision: ${inboxUrl}`;
      break;
    case 'request.granted':
      text = `${who}'s request for ${what} was approved by ${nameOf(context.decidedBy)}.`;
      break;
    case 'request.denied':
      text = payload.data.reason === 'expired'
        ? `${who}'s request for ${what} expired without a decision.`
        : `${who}'s request for ${what} was denied by ${nameOf(context.decidedBy)}.`;
      break;
    default:
      text = `${event.event_type}: ${who}'s request for ${what}. ${inboxUrl}`;
  }
  return JSON.stringify({ text });
}
