/** Where a list ordered by creation time, then id, goes on: the keyset position a skip token carries. */
export type CreatedPosition = { createdAt: string; id: string };

/** Whether a decoded skip token is a CreatedPosition, as every list ordered so takes it back. */
export const isCreatedPosition = (v: unknown): v is CreatedPosition => typeof v === 'object' && v !== null
  && typeof (v as CreatedPosition).createdAt === 'string' && typeof (v as CreatedPosition).id === 'string';
