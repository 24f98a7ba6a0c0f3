import Type from 'typebox';
import { type RequestView, type SubmitInput, submitRequest } from '../../app/requests.js';
import type { Actor, Services } from '../../app/services.js';

export const ScheduleInfo = Type.Object({
  startDateTime: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  expiration: Type.Optional(Type.Union([Type.Object({
    '@odata.type': Type.Optional(Type.String()),
    type: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    duration: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    endDateTime: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  }, { additionalProperties: false }), Type.Null()])),
  recurrence: Type.Optional(Type.Null()),
}, { additionalProperties: false });

export const TicketInfo = Type.Object({
  '@odata.type': Type.Optional(Type.String()),
  ticketNumber: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  ticketSystem: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
}, { additionalProperties: false });

/** The body fields PIM for roles and PIM for groups schedule requests share; each adds its target's. */
export const PimRequestFields = {
  '@odata.type': Type.Optional(Type.String({ maxLength: 200 })),
  action: Type.String({ maxLength: 40 }),
  principalId: Type.String({ minLength: 1, maxLength: 100 }),
  justification: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
  scheduleInfo: Type.Optional(ScheduleInfo),
  ticketInfo: Type.Optional(Type.Union([TicketInfo, Type.Null()])),
  isValidationOnly: Type.Optional(Type.Boolean()),
  customData: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
};
const PimRequestCommon = Type.Object(PimRequestFields);
type PimRequestCommon = Type.Static<typeof PimRequestCommon>;

/** What a PIM request body says about who asks, why and when, as the submit use case takes it. */
export function pimSubmitFields(body: PimRequestCommon): Pick<SubmitInput, 'principalId' | 'justification' | 'ticket' | 'startDateTime' | 'expiration'> {
  return {
    principalId: body.principalId.toLowerCase(),
    justification: body.justification ?? null,
    ticket: body.ticketInfo ? { ticketNumber: body.ticketInfo.ticketNumber ?? null, ticketSystem: body.ticketInfo.ticketSystem ?? null } : null,
    startDateTime: body.scheduleInfo?.startDateTime ?? null,
    expiration: body.scheduleInfo?.expiration ?? null,
  };
}

class ValidationOnly extends Error {
  constructor(readonly view: RequestView) {
    super('validation only');
  }
}

/**
 * `isValidationOnly: true` runs every rule and builds the request exactly as a real submit would,
 * then rolls the transaction back so nothing is stored.
 */
export async function submitWithValidationOnly(services: Services, validationOnly: boolean, actor: Actor & { userId: string }, input: SubmitInput): Promise<RequestView> {
  if (!validationOnly) return submitRequest(services, actor, input);
  const rollback: Services = {
    ...services,
    store: {
      ...services.store,
      transaction: (fn) => services.store.transaction(async (tx) => { throw new ValidationOnly(await fn(tx) as RequestView); }),
    },
  };
  try {
    await submitRequest(rollback, actor, input);
  } catch (error) {
    if (error instanceof ValidationOnly) return error.view;
    throw error;
  }
  throw new Error('unreachable: validation-only submit did not roll back');
}
