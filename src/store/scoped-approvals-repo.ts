import { type ExpressionBuilder, sql } from 'kysely';
import type { Family } from '../domain/request.js';
import type { Database } from './schema.js';
import type { Db } from './store.js';

/** Whose approvals a page holds: one user's view through a relation, or every approval (administrators). */
export type ApprovalRelation =
  | { readonly kind: 'all' }
  | { readonly kind: 'approver' | 'createdBy' | 'target' | 'readable'; readonly userId: string };

export interface ScopedApprovalQuery {
  readonly families: readonly Family[];
  /** Requests at or below this scope (lower-cased, no trailing slash); null means anywhere. */
  readonly scopeAtOrBelow: string | null;
  readonly relation: ApprovalRelation;
  readonly limit: number;
  readonly after: { createdAt: string; id: string } | null;
}

export interface ScopedApprovalPage {
  readonly approvalIds: string[];
  readonly next: { createdAt: string; id: string } | null;
}

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Stage approver lists are JSON arrays of quoted ids, so a quoted id matches one element exactly. */
function listsUser(column: 'approver_ids' | 'escalation_approver_ids', userId: string) {
  return sql<boolean>`${sql.ref(`approval_stages.${column}`)} like ${`%"${likeLiteral(userId)}"%`} escape '\\'`;
}

function relationFilter(eb: ExpressionBuilder<Database, 'requests'>, relation: ApprovalRelation) {
  switch (relation.kind) {
    case 'all': return eb.lit(true);
    case 'createdBy': return eb('requests.created_by', '=', relation.userId);
    case 'target': return eb('requests.principal_id', '=', relation.userId);
    // The inbox holds exactly who may decide an open stage now.
    case 'approver': return eb.exists(eb.selectFrom('approver_inbox').select('approver_inbox.approval_id')
      .whereRef('approver_inbox.approval_id', '=', 'requests.id').where('approver_inbox.user_id', '=', relation.userId));
    // Mirrors mayReadApproval: the requestor and anyone ever asked to decide or who decided.
    case 'readable': return eb.or([
      eb('requests.principal_id', '=', relation.userId),
      eb.exists(eb.selectFrom('approval_stages').select('approval_stages.id')
        .whereRef('approval_stages.approval_id', '=', 'requests.id')
        .where((s) => s.or([s('approval_stages.reviewed_by', '=', relation.userId), listsUser('approver_ids', relation.userId), listsUser('escalation_approver_ids', relation.userId)]))),
    ]);
  }
}

/** One page of approvals (by their request ids), oldest first, keyset-paged on (created_at, id). */
export async function scopedApprovalPage(db: Db, query: ScopedApprovalQuery): Promise<ScopedApprovalPage> {
  let q = db.selectFrom('requests').select(['requests.id', 'requests.created_at'])
    .where('requests.family', 'in', query.families).where('requests.approval_id', 'is not', null)
    .where((eb) => relationFilter(eb, query.relation));
  if (query.scopeAtOrBelow !== null) {
    const scope = query.scopeAtOrBelow;
    q = q.where((eb) => eb.or([
      eb(eb.fn('lower', ['requests.scope']), '=', scope),
      sql<boolean>`lower(${sql.ref('requests.scope')}) like ${`${likeLiteral(scope)}/%`} escape '\\'`,
    ]));
  }
  if (query.after) {
    const { createdAt, id } = query.after;
    q = q.where((eb) => eb.or([eb('requests.created_at', '>', createdAt), eb.and([eb('requests.created_at', '=', createdAt), eb('requests.id', '>', id)])]));
  }
  const rows = await q.orderBy('requests.created_at').orderBy('requests.id').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    approvalIds: page.map((r) => r.id),
    next: rows.length > query.limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}
