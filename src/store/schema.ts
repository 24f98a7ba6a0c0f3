/**
 * Row types of the store, shared by the SQLite and PostgreSQL implementations. Instants are ISO 8601
 * text and structured values are JSON text in both, so the two stores hold byte-identical rows.
 */
import type { Generated } from 'kysely';

export interface UserRow {
  id: string;
  user_principal_name: string;
  upn_lower: string;
  display_name: string;
  mail: string | null;
  job_title: string | null;
  manager_id: string | null;
  created_at: string;
}

export interface GroupRow {
  id: string;
  display_name: string;
  description: string | null;
  mail_nickname: string | null;
  created_at: string;
}

export interface GroupMemberRow {
  group_id: string;
  member_id: string;
}

/** Directory roles, Azure roles, groups' PIM relationships and access packages share one catalogue. */
export interface ResourceRow {
  id: string;
  family: string;
  display_name: string;
  description: string | null;
  /** JSON: family-specific facts (template id, catalog id, permissions). */
  extra: string;
}

export interface PolicyRow {
  id: string;
  family: string;
  resource_id: string;
  scope: string;
  version: number;
  display_name: string | null;
  /** JSON of the domain Policy without id and version. */
  settings: string;
  updated_at: string;
  updated_by: string | null;
}

/** One row per version a policy has had: what requests recorded as their policyVersion was judged under. */
export interface PolicyVersionRow {
  policy_id: string;
  version: number;
  settings: string;
  updated_at: string;
  updated_by: string | null;
}

export interface EligibilityRow {
  id: string;
  family: string;
  principal_id: string;
  resource_id: string;
  scope: string;
  start_at: string;
  end_at: string | null;
  created_at: string;
  /** The eligibility schedule request that created it; null for eligibilities that predate them. */
  request_id: string | null;
}

/** An administrator's change to an eligibility (Graph's eligibility schedule request); applied at once. */
export interface EligibilityRequestRow {
  id: string;
  family: string;
  action: string;
  principal_id: string;
  created_by: string | null;
  resource_id: string;
  scope: string;
  justification: string | null;
  /** JSON of the domain Schedule; null for a removal. */
  schedule: string | null;
  status: string;
  eligibility_id: string | null;
  created_at: string;
  completed_at: string | null;
}

/** A policy's emergency-activation settings (JSON of the domain BreakGlassSettings). */
export interface BreakGlassSettingsRow {
  policy_id: string;
  settings: string;
  updated_at: string;
  updated_by: string | null;
}

export interface RequestRow {
  id: string;
  family: string;
  action: string;
  principal_id: string;
  created_by: string;
  resource_id: string;
  scope: string;
  justification: string | null;
  ticket: string | null;
  /** JSON of the domain Schedule. */
  schedule: string;
  start_at: string;
  end_at: string | null;
  status: string;
  approval_id: string | null;
  policy_id: string | null;
  policy_version: number | null;
  created_at: string;
  completed_at: string | null;
  /** JSON: wire-specific fields kept to echo back (ARM name, EM answers, ...). */
  extra: string;
  version: number;
}

export interface StageRow {
  id: string;
  approval_id: string;
  stage_index: number;
  status: string;
  review_result: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  justification: string;
  config: string;
  approver_ids: string;
  escalation_approver_ids: string;
  approvals: string;
  started_at: string | null;
  escalate_at: string | null;
  expire_at: string | null;
  version: number;
}

/** One row per person who may decide an open stage: the pending-for-me lists read only this index. */
export interface InboxRow {
  user_id: string;
  family: string;
  approval_id: string;
  stage_id: string;
  created_at: string;
}

export interface AssignmentRow {
  id: string;
  family: string;
  request_id: string | null;
  principal_id: string;
  resource_id: string;
  scope: string;
  start_at: string;
  end_at: string | null;
  status: string;
  created_at: string;
  ended_at: string | null;
}

export interface AuditRow {
  seq: Generated<number>;
  id: string;
  occurred_at: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  correlation_id: string | null;
  client_ip: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

export interface OutboxRow {
  seq: Generated<number>;
  id: string;
  event_type: string;
  occurred_at: string;
  request_id: string | null;
  payload: string;
  dispatched_at: string | null;
}

export interface WebhookSubscriptionRow {
  id: string;
  /** 'webhook' (signed JSON events) or 'chat' (a Slack/Teams-compatible incoming webhook). */
  kind: string;
  url: string;
  /** JSON array of event types; empty means every type. */
  event_types: string;
  secret: string;
  description: string | null;
  created_by: string | null;
  created_at: string;
  active: number;
  deleted_at: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  subscription_id: string;
  outbox_seq: number;
  /** The outbox event's id: the `webhook-id` of every attempt. */
  event_id: string;
  event_type: string;
  request_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptRow {
  seq: Generated<number>;
  delivery_id: string;
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface OutboxCursorRow {
  name: string;
  last_seq: number;
}

export interface MetaRow {
  key: string;
  value: string;
}

/** Work one instance at a time must do: who holds it and until when (ISO instant, real time). */
export interface LeaseRow {
  name: string;
  holder: string;
  until: string;
}

export interface Database {
  users: UserRow;
  groups: GroupRow;
  group_members: GroupMemberRow;
  resources: ResourceRow;
  policies: PolicyRow;
  policy_versions: PolicyVersionRow;
  eligibilities: EligibilityRow;
  eligibility_requests: EligibilityRequestRow;
  break_glass_settings: BreakGlassSettingsRow;
  requests: RequestRow;
  approval_stages: StageRow;
  approver_inbox: InboxRow;
  assignments: AssignmentRow;
  audit_events: AuditRow;
  outbox: OutboxRow;
  meta: MetaRow;
  webhook_subscriptions: WebhookSubscriptionRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
  outbox_cursors: OutboxCursorRow;
  leases: LeaseRow;
}
