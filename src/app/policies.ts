import { DomainError } from '../domain/errors.js';
import type { DomainEvent } from '../domain/events.js';
import { type Policy, requiresApproval } from '../domain/policy.js';
import { combinePolicyErrors, namedDirectoryObjects, validatePolicy } from '../domain/policy-validation.js';
import type { Family, Target } from '../domain/request.js';
import type { Instant } from '../domain/time.js';
import { findUser, getGroup, getUsers } from '../directory/directory-repo.js';
import { resolveApprovers } from '../directory/resolve-approvers.js';
import { type StoredPolicy, getPolicy, getResource, isEligible, listPolicies, policyFor, savePolicyVersion } from '../store/policies-repo.js';
import { type Db, WriteConflictError } from '../store/store.js';
import type { Caller } from './authorization.js';
import { recordEvents } from './record-events.js';
import { DEFAULT_POLICY } from './requests.js';
import type { Actor, Services } from './services.js';

/** A policy's settings without its identity: what an update replaces. */
export type PolicySettings = Omit<Policy, 'id' | 'version'>;

export async function listPoliciesOf(services: Services, families: readonly Family[]): Promise<StoredPolicy[]> {
  const all = await listPolicies(services.store.db);
  return all.filter((p) => families.includes(p.target.family));
}

export async function loadPolicy(db: Db, id: string, families: readonly Family[]): Promise<StoredPolicy> {
  const stored = await getPolicy(db, id);
  if (!stored || !families.includes(stored.target.family)) throw new DomainError('POLICY_NOT_FOUND', `Policy '${id}' was not found.`);
  return stored;
}

/** Approver ids the directory does not know: a typo here would leave every request waiting until it expires. */
async function unknownApprovers(db: Db, settings: PolicySettings['approval']): Promise<DomainError[]> {
  const { userIds, groupIds } = namedDirectoryObjects(settings);
  const users = await getUsers(db, userIds.map((id) => id.toLowerCase()));
  const errors = userIds.filter((id) => !users.has(id.toLowerCase()))
    .map((id) => new DomainError('INVALID_POLICY', `Approver user '${id}' does not exist in the directory.`));
  for (const id of groupIds) {
    if (!(await getGroup(db, id))) errors.push(new DomainError('INVALID_POLICY', `Approver group '${id}' does not exist in the directory.`));
  }
  return errors;
}

function sameSettings(a: PolicySettings, b: PolicySettings): boolean {
  return JSON.stringify({ approval: a.approval, activation: a.activation }) === JSON.stringify({ approval: b.approval, activation: b.activation });
}

/**
 * An administrator changes a policy. The new version applies to requests submitted from now on;
 * approvals already running keep the stages they were created with.
 */
export async function updatePolicy(
  services: Services, actor: Actor & { userId: string }, caller: Caller, policyId: string, families: readonly Family[],
  change: (current: StoredPolicy) => PolicySettings,
): Promise<StoredPolicy> {
  if (!caller.isAdmin) throw new DomainError('ACCESS_DENIED', 'Only an administrator may change approval policies.');
  for (let attempt = 1; ; attempt++) {
    try {
      return await services.store.transaction(async (tx) => {
        const now = services.clock.now();
        const current = await loadPolicy(tx, policyId, families);
        const { id: _id, version: _v, ...before } = current.policy;
        const settings = change(current);
        if (sameSettings(before, settings)) return current;
        const next: Policy = { ...settings, id: current.policy.id, version: current.policy.version + 1 };
        const invalid = combinePolicyErrors([...validatePolicy(next, current.target.family), ...(await unknownApprovers(tx, next.approval))]);
        if (invalid) throw invalid;
        const saved = await savePolicyVersion(tx, current, next, now, actor.userId);
        const event: DomainEvent = {
          type: 'policy.updated', family: current.target.family, requestId: null, policyId: next.id,
          data: { version: next.version, previousVersion: current.policy.version, resourceId: current.target.resourceId, scope: current.target.scope },
        };
        await recordEvents(tx, services, actor, [event], now, new Map([[next.id, { before: { version: current.policy.version, ...before }, after: { version: next.version, ...settings } }]]));
        return saved;
      });
    } catch (error) {
      if (error instanceof WriteConflictError && attempt < 5) continue;
      throw error;
    }
  }
}

export interface StageSimulation {
  readonly index: number;
  readonly displayName: string | null;
  /** Who would be asked when the stage starts, the requestor excluded. */
  readonly approverIds: readonly string[];
  readonly escalationApproverIds: readonly string[];
  readonly approvalsRequired: number;
  readonly timeoutMinutes: number;
  readonly isEscalationEnabled: boolean;
  readonly escalationMinutes: number;
  readonly isApproverJustificationRequired: boolean;
  readonly warnings: readonly string[];
}

export interface Simulation {
  readonly policy: Policy;
  /** null when the target has no policy of its own and the defaults apply. */
  readonly stored: StoredPolicy | null;
  readonly requiresApproval: boolean;
  readonly isEligible: boolean;
  readonly stages: readonly StageSimulation[];
}

function stageWarnings(stage: Policy['approval']['stages'][number], primary: readonly string[], resolvedWithRequestor: readonly string[], requestorId: string): string[] {
  const warnings: string[] = [];
  if (resolvedWithRequestor.includes(requestorId)) warnings.push('The requestor is one of the approvers and would not be asked: nobody approves their own request.');
  if (primary.length === 0) warnings.push('Nobody would be asked at this stage; a request would wait until the stage times out and is denied.');
  else if (primary.length < stage.approvalsRequired && !stage.isEscalationEnabled) {
    warnings.push(`The stage needs ${stage.approvalsRequired} approvals but only ${primary.length} approver${primary.length === 1 ? '' : 's'} would be asked; a request could only be denied or time out.`);
  }
  return warnings;
}

/**
 * Who would be asked, at each stage, if this requestor asked for this target now: a dry run that
 * reads the policy and the directory and writes nothing. Later stages are resolved as the
 * directory is now; a real request resolves each stage when it starts.
 */
export async function simulatePolicy(services: Services, caller: Caller, input: { requestorId: string; target: Target }): Promise<Simulation> {
  const db = services.store.db;
  const now: Instant = services.clock.now();
  const requestor = await findUser(db, input.requestorId);
  if (!caller.isAdmin && requestor?.id !== caller.userId) {
    throw new DomainError('ACCESS_DENIED', 'Only an administrator may simulate a request for someone else.');
  }
  if (!requestor) throw new DomainError('PRINCIPAL_NOT_FOUND', `Principal '${input.requestorId}' does not exist in the directory.`);
  if (!(await getResource(db, input.target.family, input.target.resourceId))) {
    throw new DomainError('TARGET_NOT_FOUND', `'${input.target.resourceId}' does not exist or is not governed by Signoff.`);
  }
  const stored = await policyFor(db, input.target);
  const policy: Policy = stored?.policy ?? { ...DEFAULT_POLICY, id: 'default' };
  const stages: StageSimulation[] = [];
  for (const [index, stage] of policy.approval.stages.entries()) {
    const resolved = await resolveApprovers(db, stage, requestor.id, now);
    // The engine never asks the requestor to decide their own request.
    const primary = resolved.primary.filter((id) => id !== requestor.id);
    stages.push({
      index, displayName: stage.displayName, approverIds: primary,
      escalationApproverIds: resolved.escalation.filter((id) => id !== requestor.id),
      approvalsRequired: stage.approvalsRequired, timeoutMinutes: stage.timeoutMinutes,
      isEscalationEnabled: stage.isEscalationEnabled, escalationMinutes: stage.escalationMinutes,
      isApproverJustificationRequired: stage.isApproverJustificationRequired,
      warnings: stageWarnings(stage, primary, resolved.primary, requestor.id),
    });
  }
  return {
    policy, stored, requiresApproval: requiresApproval(policy),
    isEligible: await isEligible(db, input.target, requestor.id, now), stages,
  };
}
