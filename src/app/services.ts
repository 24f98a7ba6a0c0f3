import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { timeOrderedId } from './time-ordered-id.js';

/** What every use case needs; built once in the composition root. */
export interface Services {
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** Who is acting and under which correlation, for the audit log. */
export interface Actor {
  readonly userId: string | null;
  readonly correlationId: string | null;
  readonly clientIp: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, correlationId: null, clientIp: null };

export function makeServices(store: Store, clock: Clock, newId: () => string = () => timeOrderedId()): Services {
  return { store, clock, newId };
}
