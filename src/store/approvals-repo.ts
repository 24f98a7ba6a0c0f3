import type { Approval, Stage } from '../domain/approval.js';
import { decidersAt } from '../domain/decision.js';
import type { Family } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import type { StageRow } from './schema.js';
import { claimRows } from './claim-rows.js';
import { type Db, type Dialect, WriteConflictError } from './store.js';

function toStage(row: StageRow): Stage {
  return {
    id: row.id,
    index: row.stage_index,
    status: row.status as Stage['status'],
    reviewResult: row.review_result as Stage['reviewResult'],
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
    justification: row.justification,
    config: JSON.parse(row.config),
    approverIds: JSON.parse(row.approver_ids),
    escalationApproverIds: JSON.parse(row.escalation_approver_ids),
    approvals: JSON.parse(row.approvals),
    startedAt: row.started_at,
    escalateAt: row.escalate_at,
    expireAt: row.expire_at,
    version: row.version,
  };
}

function toRow(approvalId: string, s: Stage): StageRow {
  return {
    id: s.id,
    approval_id: approvalId,
    stage_index: s.index,
    status: s.status,
    review_result: s.reviewResult,
    reviewed_by: s.reviewedBy,
    reviewed_at: s.reviewedAt,
    justification: s.justification,
    config: JSON.stringify(s.config),
    approver_ids: JSON.stringify(s.approverIds),
    escalation_approver_ids: JSON.stringify(s.escalationApproverIds),
    approvals: JSON.stringify(s.approvals),
    started_at: s.startedAt,
    escalate_at: s.escalateAt,
    expire_at: s.expireAt,
    version: s.version,
  };
}

function stagesOf(db: Db, approvalId: string) {
  return db.selectFrom('approval_stages').selectAll().where('approval_id', '=', approvalId).orderBy('stage_index');
}

export async function loadStages(db: Db, approvalId: string): Promise<Stage[]> {
  return (await stagesOf(db, approvalId).execute()).map(toStage);
}

/**
 * An approval's stages, locked until the transaction ends (PostgreSQL), in the order every writer
 * of stages takes them. Deciders of one approval then take turns on fresh rows instead of each
 * losing the version-guarded write to whoever committed first: on a k-of-n stage, k approvers
 * deciding at once would otherwise lose up to k - 1 times in a row.
 */
export async function lockStages(tx: Db, dialect: Dialect, approvalId: string): Promise<Stage[]> {
  const q = stagesOf(tx, approvalId);
  return (await (dialect === 'postgres' ? q.forUpdate() : q).execute()).map(toStage);
}

export async function loadStagesFor(db: Db, approvalIds: readonly string[]): Promise<Map<string, Stage[]>> {
  const out = new Map<string, Stage[]>();
  if (approvalIds.length === 0) return out;
  const rows = await db.selectFrom('approval_stages').selectAll().where('approval_id', 'in', approvalIds).orderBy('stage_index').execute();
  for (const row of rows) {
    const list = out.get(row.approval_id) ?? [];
    list.push(toStage(row));
    out.set(row.approval_id, list);
  }
  return out;
}

export async function insertStages(db: Db, approval: Approval): Promise<void> {
  await db.insertInto('approval_stages').values(approval.stages.map((s) => toRow(approval.id, s))).execute();
}

/**
 * Writes changed stages, each only if nobody wrote it since it was read. This conditional update is
 * what makes "first decision wins" hold across connections and instances.
 */
export async function saveChangedStages(db: Db, approvalId: string, changed: readonly Stage[], readVersions: ReadonlyMap<string, number>): Promise<void> {
  for (const stage of changed) {
    const { id, approval_id: _a, ...values } = toRow(approvalId, stage);
    const result = await db.updateTable('approval_stages').set(values)
      .where('id', '=', id).where('version', '=', readVersions.get(id) ?? -1)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new WriteConflictError(`Stage ${id} changed while it was being decided.`);
  }
}

/** Keeps the pending-for-me index equal to who may decide each stage now. */
export async function syncInbox(db: Db, args: { approval: Approval; family: Family; stages: readonly Stage[]; createdAt: Instant; now: Instant }): Promise<void> {
  const stageIds = args.stages.map((s) => s.id);
  if (stageIds.length === 0) return;
  await db.deleteFrom('approver_inbox').where('stage_id', 'in', stageIds).execute();
  const rows = args.approval.status !== 'Pending' ? [] : args.stages.flatMap((stage) =>
    decidersAt(stage, args.now, args.approval.requestorId).map((userId) => ({
      user_id: userId, family: args.family, approval_id: args.approval.id, stage_id: stage.id, created_at: args.createdAt,
    })));
  if (rows.length > 0) await db.insertInto('approver_inbox').values(rows).execute();
}

export interface InboxPage {
  readonly approvalIds: string[];
  readonly next: { createdAt: string; approvalId: string } | null;
}

/** One page of approvals waiting for this user, oldest first, by keyset on the inbox index. */
export async function inboxPage(db: Db, args: { userId: string; families: readonly Family[]; limit: number; after?: { createdAt: string; approvalId: string } | null }): Promise<InboxPage> {
  let q = db.selectFrom('approver_inbox').select(['approval_id', 'created_at'])
    .where('user_id', '=', args.userId).where('family', 'in', args.families);
  if (args.after) {
    const { createdAt, approvalId } = args.after;
    q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('approval_id', '>', approvalId)])]));
  }
  const rows = await q.orderBy('created_at').orderBy('approval_id').limit(args.limit + 1).execute();
  const page = rows.slice(0, args.limit);
  const last = page.at(-1);
  return {
    approvalIds: page.map((r) => r.approval_id),
    next: rows.length > args.limit && last ? { createdAt: last.created_at, approvalId: last.approval_id } : null,
  };
}

/** Claims one approval with an open stage whose escalation or expiry has come, skipping `passed`. */
export async function claimDueApproval(tx: Db, dialect: Dialect, now: Instant, passed: readonly string[]): Promise<{ id: string } | null> {
  let q = tx.selectFrom('approval_stages').select('approval_id').where((eb) => eb.or([
    eb.and([eb('status', 'in', ['InProgress', 'Escalated']), eb('expire_at', '<=', now)]),
    eb.and([eb('status', '=', 'InProgress'), eb('escalate_at', '<=', now)]),
  ]));
  if (passed.length > 0) q = q.where('approval_id', 'not in', passed);
  const row = await claimRows(q.limit(1), dialect).executeTakeFirst();
  return row ? { id: row.approval_id } : null;
}
