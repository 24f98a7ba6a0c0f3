import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store.js';

/** Frozen once released: later changes go in a new migration. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema.createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_principal_name', 'text', (c) => c.notNull())
    .addColumn('upn_lower', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('mail', 'text')
    .addColumn('job_title', 'text')
    .addColumn('manager_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('mail_nickname', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('group_members_by_member').on('group_members').columns(['member_id']).execute();

  await db.schema.createTable('resources')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('extra', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resources_pk', ['family', 'id'])
    .execute();

  await db.schema.createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema.createIndex('policies_by_target').on('policies').columns(['family', 'resource_id', 'scope']).execute();

  await db.schema.createTable('eligibilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('eligibilities_by_principal').on('eligibilities').columns(['principal_id', 'family', 'resource_id']).execute();

  await db.schema.createTable('requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('justification', 'text')
    .addColumn('ticket', 'text')
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'text')
    .addColumn('policy_id', 'text')
    .addColumn('policy_version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('extra', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('requests_by_principal').on('requests').columns(['principal_id', 'family', 'created_at']).execute();
  await db.schema.createIndex('requests_by_family').on('requests').columns(['family', 'created_at', 'id']).execute();
  await db.schema.createIndex('requests_open_by_target').on('requests').columns(['family', 'resource_id', 'principal_id', 'status']).execute();
  // One open request per principal and target, enforced by the store so racing submits cannot both pass.
  await sql`create unique index requests_one_open on requests (family, resource_id, scope, principal_id) where status in ('PendingApproval', 'Granted')`.execute(db);
  await db.schema.createIndex('requests_due_start').on('requests').columns(['status', 'start_at']).execute();

  await db.schema.createTable('approval_stages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('stage_index', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('review_result', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('approver_ids', 'text', (c) => c.notNull())
    .addColumn('escalation_approver_ids', 'text', (c) => c.notNull())
    .addColumn('approvals', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('escalate_at', 'text')
    .addColumn('expire_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stages_by_approval').on('approval_stages').columns(['approval_id', 'stage_index']).unique().execute();
  await db.schema.createIndex('stages_due_expiry').on('approval_stages').columns(['status', 'expire_at']).execute();
  await db.schema.createIndex('stages_due_escalation').on('approval_stages').columns(['status', 'escalate_at']).execute();

  await db.schema.createTable('approver_inbox')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approver_inbox_pk', ['user_id', 'family', 'created_at', 'approval_id'])
    .execute();
  await db.schema.createIndex('approver_inbox_by_stage').on('approver_inbox').columns(['stage_id']).execute();

  await db.schema.createTable('assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('assignments_by_principal').on('assignments').columns(['principal_id', 'family', 'resource_id']).execute();
  await db.schema.createIndex('assignments_by_resource').on('assignments').columns(['family', 'resource_id', 'status']).execute();
  await db.schema.createIndex('assignments_due_end').on('assignments').columns(['status', 'end_at']).execute();

  await db.schema.createTable('audit_events')
    .addColumn('seq', serial as 'integer', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_by_request').on('audit_events').columns(['request_id']).execute();
  await db.schema.createIndex('audit_by_time').on('audit_events').columns(['occurred_at']).execute();

  await db.schema.createTable('outbox')
    .addColumn('seq', serial as 'integer', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('dispatched_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_undispatched').on('outbox').columns(['dispatched_at', 'seq']).execute();
}
