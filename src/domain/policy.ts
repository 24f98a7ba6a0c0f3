/** What a role, group or access package demands before access is granted. */

export type ApproverRef =
  | { readonly type: 'singleUser'; readonly userId: string }
  | { readonly type: 'groupMembers'; readonly groupId: string }
  | { readonly type: 'requestorManager'; readonly managerLevel: number };

export type ApprovalMode = 'NoApproval' | 'SingleStage' | 'Serial';

export interface PolicyStage {
  readonly displayName: string | null;
  readonly timeoutMinutes: number;
  readonly isApproverJustificationRequired: boolean;
  readonly isEscalationEnabled: boolean;
  readonly escalationMinutes: number;
  readonly primaryApprovers: readonly ApproverRef[];
  readonly escalationApprovers: readonly ApproverRef[];
  /** Distinct approvals this stage needs (Signoff's k-of-n). Microsoft's behaviour is 1. */
  readonly approvalsRequired: number;
}

export interface ApprovalSettings {
  readonly mode: ApprovalMode;
  readonly isRequestorJustificationRequired: boolean;
  readonly stages: readonly PolicyStage[];
  /** Whether an extension or renewal a requestor asks for goes through these stages; absent means no. */
  readonly isApprovalRequiredForExtension?: boolean;
}

export interface ActivationRules {
  /** Longest activation a requestor may ask for, in minutes. */
  readonly maximumDurationMinutes: number;
  readonly isJustificationRequired: boolean;
  readonly isTicketingRequired: boolean;
}

export interface Policy {
  readonly id: string;
  readonly version: number;
  readonly approval: ApprovalSettings;
  readonly activation: ActivationRules;
}

export function requiresApproval(policy: Policy): boolean {
  return policy.approval.mode !== 'NoApproval' && policy.approval.stages.length > 0;
}

export const MINUTES_PER_DAY = 24 * 60;
