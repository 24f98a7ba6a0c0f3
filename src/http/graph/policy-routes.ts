import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { listPoliciesOf, loadPolicy, updatePolicy } from '../../app/policies.js';
import type { Policy } from '../../domain/policy.js';
import type { Family } from '../../domain/request.js';
import { getGroup, getUsers } from '../../directory/directory-repo.js';
import type { StoredPolicy } from '../../store/policies-repo.js';
import type { Db } from '../../store/store.js';
import { DomainError } from '../../domain/errors.js';
import { namedDirectoryObjects } from '../../domain/policy-validation.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { type ODataQuery, odataQuery, servedEntity, wholeList } from './odata.js';
import {
  type ApproverNames, POLICY_ASSIGNMENT, ROLE_MANAGEMENT_POLICY, RULE, RuleInput, applyRulePatch, policyAssignmentShape, roleManagementPolicyShape, rulesShape,
} from './policy-shapes.js';

/** Graph's roleManagementPolicies cover PIM for Entra roles and PIM for groups; Azure roles live in ARM. */
const FAMILIES: readonly Family[] = ['directoryRole', 'group'];
const POLICIES = '/policies/roleManagementPolicies';
const ASSIGNMENTS = '/policies/roleManagementPolicyAssignments';
const Id = Type.String({ minLength: 1, maxLength: 300 });

/** Display names for the users and groups the policies name, and for who last changed them. */
export async function approverNames(db: Db, policies: readonly Policy[], extraUserIds: readonly string[] = []): Promise<ApproverNames> {
  const named = policies.map((p) => namedDirectoryObjects(p.approval));
  const groupIds = named.flatMap((n) => n.groupIds);
  const users = await getUsers(db, [...named.flatMap((n) => n.userIds), ...extraUserIds]);
  const names = new Map<string, string>([...users.values()].map((u) => [u.id, u.display_name]));
  for (const id of new Set(groupIds)) {
    const group = await getGroup(db, id);
    if (group) names.set(group.id, group.display_name);
  }
  return names;
}

export function registerPolicyRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { services, version } = deps;

  /** Policies with the rules `q` expands; `q` reads policies, or is what `$expand=policy(...)` nests. */
  async function shapePolicies(q: ODataQuery | null, stored: readonly StoredPolicy[]): Promise<Record<string, unknown>[]> {
    const names = await approverNames(services.store.db, stored.map((s) => s.policy), stored.flatMap((s) => (s.updatedBy ? [s.updatedBy] : [])));
    return stored.map((s) => {
      const rules = rulesShape(s.policy, version, names);
      const by = s.updatedBy ? { id: s.updatedBy, displayName: names.get(s.updatedBy) ?? null } : null;
      return {
        ...roleManagementPolicyShape(s, by),
        ...(q?.expand.has('rules') ? { rules } : {}),
        ...(q?.expand.has('effectiveRules') ? { effectiveRules: rules } : {}),
      };
    });
  }

  app.get(POLICIES, async (request) => {
    const q = odataQuery(request, ROLE_MANAGEMENT_POLICY);
    const shaped = await shapePolicies(q, await listPoliciesOf(services, FAMILIES));
    return wholeList(request, odataContext(request, version, 'policies/roleManagementPolicies'), shaped, q);
  });

  app.get<{ Params: { id: string } }>(`${POLICIES}/:id`, { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const q = odataQuery(request, ROLE_MANAGEMENT_POLICY);
    const [shaped] = await shapePolicies(q, [await loadPolicy(services.store.db, request.params.id, FAMILIES)]);
    return servedEntity({ '@odata.context': odataContext(request, version, 'policies/roleManagementPolicies/$entity'), ...shaped }, q);
  });

  for (const child of ['rules', 'effectiveRules'] as const) {
    app.get<{ Params: { id: string } }>(`${POLICIES}/:id/${child}`, { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
      const q = odataQuery(request, RULE);
      const stored = await loadPolicy(services.store.db, request.params.id, FAMILIES);
      const rules = rulesShape(stored.policy, version, await approverNames(services.store.db, [stored.policy]));
      return wholeList(request, odataContext(request, version, `policies/roleManagementPolicies('${stored.policy.id}')/${child}`), rules, q);
    });

    app.get<{ Params: { id: string; ruleId: string } }>(`${POLICIES}/:id/${child}/:ruleId`, { schema: { params: Type.Object({ id: Id, ruleId: Id }) } }, async (request) => {
      const q = odataQuery(request, RULE);
      const stored = await loadPolicy(services.store.db, request.params.id, FAMILIES);
      const rule = rulesShape(stored.policy, version, await approverNames(services.store.db, [stored.policy])).find((r) => r.id === request.params.ruleId);
      if (!rule) throw new DomainError('POLICY_NOT_FOUND', `Rule '${request.params.ruleId}' was not found in policy '${stored.policy.id}'.`);
      return servedEntity({ '@odata.context': odataContext(request, version, `policies/roleManagementPolicies('${stored.policy.id}')/${child}/$entity`), ...rule }, q);
    });
  }

  app.patch<{ Params: { id: string; ruleId: string }; Body: RuleInput }>(`${POLICIES}/:id/rules/:ruleId`, {
    schema: { params: Type.Object({ id: Id, ruleId: Id }), body: RuleInput },
  }, async (request, reply) => {
    if (request.body.id !== undefined && request.body.id !== request.params.ruleId) {
      throw new DomainError('INVALID_POLICY', `The body's id '${request.body.id}' does not match the rule '${request.params.ruleId}' in the URL.`);
    }
    await updatePolicy(services, actorOf(request), callerOf(request), request.params.id, FAMILIES,
      (current) => applyRulePatch(current.policy, request.params.ruleId, request.body));
    return reply.code(204).send();
  });

  /** Assignments with their policy when `$expand=policy` asks for it (and its rules when nested: `policy($expand=rules)`). */
  async function shapeAssignments(q: ODataQuery, stored: readonly StoredPolicy[]): Promise<Record<string, unknown>[]> {
    const policies = q.expand.has('policy') ? await shapePolicies(q.expand.get('policy')!, stored) : [];
    return stored.map((s, i) => ({ ...policyAssignmentShape(s), ...(policies[i] ? { policy: policies[i] } : {}) }));
  }

  app.get(ASSIGNMENTS, async (request) => {
    const q = odataQuery(request, POLICY_ASSIGNMENT);
    const shaped = await shapeAssignments(q, await listPoliciesOf(services, FAMILIES));
    return wholeList(request, odataContext(request, version, 'policies/roleManagementPolicyAssignments'), shaped, q);
  });

  app.get<{ Params: { id: string } }>(`${ASSIGNMENTS}/:id`, { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const q = odataQuery(request, POLICY_ASSIGNMENT);
    const stored = (await listPoliciesOf(services, FAMILIES)).find((s) => policyAssignmentShape(s).id === request.params.id);
    if (!stored) throw new DomainError('POLICY_NOT_FOUND', `Policy assignment '${request.params.id}' was not found.`);
    const [shaped] = await shapeAssignments(q, [stored]);
    return servedEntity({ '@odata.context': odataContext(request, version, 'policies/roleManagementPolicyAssignments/$entity'), ...shaped }, q);
  });
}
