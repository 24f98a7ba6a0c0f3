import type { ResolvedApprovers } from '../domain/decision.js';
import type { ApproverRef, PolicyStage } from '../domain/policy.js';
import type { Instant } from '../domain/time.js';
import type { Db } from '../store/store.js';
import { groupMemberIds, managerAt } from './directory-repo.js';

async function expand(db: Db, refs: readonly ApproverRef[], requestorId: string, now: Instant): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    if (ref.type === 'singleUser') ids.push(ref.userId);
    else if (ref.type === 'groupMembers') ids.push(...(await groupMemberIds(db, ref.groupId, now)));
    else {
      const manager = await managerAt(db, requestorId, ref.managerLevel);
      if (manager) ids.push(manager);
    }
  }
  return [...new Set(ids)];
}

/** Who may decide a stage, from the directory as it is when the stage starts. */
export async function resolveApprovers(db: Db, config: PolicyStage, requestorId: string, now: Instant): Promise<ResolvedApprovers> {
  return {
    primary: await expand(db, config.primaryApprovers, requestorId, now),
    escalation: await expand(db, config.escalationApprovers, requestorId, now),
  };
}
