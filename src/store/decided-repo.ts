import type { Family } from '../domain/request.js';
import type { Db } from './store.js';

export interface DecidedStage {
  readonly family: Family;
  readonly approvalId: string;
  readonly stageId: string;
  readonly stageIndex: number;
  readonly reviewResult: 'Approve' | 'Deny';
  readonly reviewedAt: string;
  readonly justification: string;
}

export interface DecidedPosition {
  readonly reviewedAt: string;
  readonly stageId: string;
}

/** Stages this user decided, newest first, by keyset on the (reviewed_by, reviewed_at) index. */
export async function decidedBy(db: Db, args: { userId: string; result: 'Approve' | 'Deny' | null; limit: number; after: DecidedPosition | null }): Promise<{ items: DecidedStage[]; next: DecidedPosition | null }> {
  let q = db.selectFrom('approval_stages as s').innerJoin('requests as r', 'r.id', 's.approval_id')
    .select(['r.family', 's.approval_id', 's.id', 's.stage_index', 's.review_result', 's.reviewed_at', 's.justification'])
    .where('s.reviewed_by', '=', args.userId).where('s.reviewed_at', 'is not', null);
  if (args.result) q = q.where('s.review_result', '=', args.result);
  if (args.after) {
    const { reviewedAt, stageId } = args.after;
    q = q.where((eb) => eb.or([eb('s.reviewed_at', '<', reviewedAt), eb.and([eb('s.reviewed_at', '=', reviewedAt), eb('s.id', '<', stageId)])]));
  }
  const rows = await q.orderBy('s.reviewed_at', 'desc').orderBy('s.id', 'desc').limit(args.limit + 1).execute();
  const items = rows.slice(0, args.limit).map((r): DecidedStage => ({
    family: r.family as Family, approvalId: r.approval_id, stageId: r.id, stageIndex: r.stage_index,
    reviewResult: r.review_result as DecidedStage['reviewResult'], reviewedAt: r.reviewed_at!, justification: r.justification,
  }));
  const last = items.at(-1);
  return { items, next: rows.length > args.limit && last ? { reviewedAt: last.reviewedAt, stageId: last.stageId } : null };
}
