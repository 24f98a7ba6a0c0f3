import type BetterSqlite3 from 'better-sqlite3';
import type { PolicyStage } from '../../src/domain/policy.js';
import type { InboxRow, RequestRow, StageRow } from '../../src/store/schema.js';

export interface SeededApproval {
  readonly approvalId: string;
  readonly stageId: string;
}

export interface BulkSeedOptions {
  readonly count: number;
  /** Ids are `${prefix}-<n>` padded, so runs are repeatable and distinct per call. */
  readonly prefix: string;
  readonly approverOf: (i: number) => string;
  readonly resourceId: string;
  readonly family?: string;
  readonly createdAt: (i: number) => string;
  readonly expireAt: string;
}

const stageConfig: PolicyStage = {
  displayName: null, timeoutMinutes: 1440, isApproverJustificationRequired: true, isEscalationEnabled: false, escalationMinutes: 0,
  primaryApprovers: [], escalationApprovers: [], approvalsRequired: 1,
};

function guid(prefix: string, i: number): string {
  // A GUID-shaped id whose last group carries the prefix hash and the counter.
  const n = i.toString(16).padStart(12, '0');
  const p = [...prefix].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0').slice(0, 8);
  return `${p}-0000-4000-8000-${n}`;
}

function insertAll<T extends object>(native: BetterSqlite3.Database, table: string, sample: T): (row: T) => void {
  const columns = Object.keys(sample);
  const statement = native.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
  return (row) => statement.run(row);
}

/**
 * Pending single-stage approvals written straight into a SQLite store, row shapes typed by the
 * store's schema: the fast way to reach 10k or 1M approvals. Each has its own synthetic requestor.
 */
export function seedPendingApprovals(native: BetterSqlite3.Database, options: BulkSeedOptions): SeededApproval[] {
  const family = options.family ?? 'directoryRole';
  const config = JSON.stringify(stageConfig);
  const out: SeededApproval[] = [];
  let insertRequest: ((r: RequestRow) => void) | null = null;
  let insertStage: ((r: StageRow) => void) | null = null;
  let insertInbox: ((r: InboxRow) => void) | null = null;
  const run = native.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = guid(`${options.prefix}-r`, i);
      const stageId = guid(`${options.prefix}-s`, i);
      const principal = guid(`${options.prefix}-u`, i);
      const createdAt = options.createdAt(i);
      const approver = options.approverOf(i);
      const request: RequestRow = {
        id, family, action: 'selfActivate', principal_id: principal, created_by: principal, resource_id: options.resourceId, scope: '/',
        justification: 'bulk', ticket: null,
        schedule: JSON.stringify({ startAt: createdAt, endAt: null, expirationType: 'afterDuration', duration: 'PT1H' }),
        start_at: createdAt, end_at: null, status: 'PendingApproval', approval_id: id, policy_id: null, policy_version: null,
        created_at: createdAt, completed_at: null, extra: '{}', version: 1,
      };
      const stage: StageRow = {
        id: stageId, approval_id: id, stage_index: 0, status: 'InProgress', review_result: 'NotReviewed', reviewed_by: null, reviewed_at: null,
        justification: '', config, approver_ids: JSON.stringify([approver]), escalation_approver_ids: '[]', approvals: '[]',
        started_at: createdAt, escalate_at: null, expire_at: options.expireAt, version: 1,
      };
      const inbox: InboxRow = { user_id: approver, family, approval_id: id, stage_id: stageId, created_at: createdAt };
      insertRequest ??= insertAll(native, 'requests', request);
      insertStage ??= insertAll(native, 'approval_stages', stage);
      insertInbox ??= insertAll(native, 'approver_inbox', inbox);
      insertRequest(request);
      insertStage(stage);
      insertInbox(inbox);
      out.push({ approvalId: id, stageId });
    }
  });
  const BATCH = 50_000;
  for (let from = 0; from < options.count; from += BATCH) run(from, Math.min(options.count, from + BATCH));
  return out;
}
