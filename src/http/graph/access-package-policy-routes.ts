import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { updatePolicy } from '../../app/policies.js';
import type { Family } from '../../domain/request.js';
import { type GraphDeps, actorOf, callerOf, odataContext } from './graph-context.js';
import { AssignmentPolicyInput, accessPackageAssignmentPolicyShape, parseEmApprovalSettings } from './access-package-policy-shapes.js';
import { approverNames } from './policy-routes.js';

const FAMILIES: readonly Family[] = ['accessPackage'];

/** Where entitlement management keeps assignment policies, per Graph version. */
const COLLECTION = {
  beta: 'identityGovernance/entitlementManagement/accessPackageAssignmentPolicies',
  'v1.0': 'identityGovernance/entitlementManagement/assignmentPolicies',
} as const;

/** `PUT .../assignmentPolicies/{id}`: an administrator replaces a policy's approval settings; the reads live with the other EM routes. */
export function registerAccessPackagePolicyRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { services, version } = deps;
  app.put<{ Params: { id: string }; Body: AssignmentPolicyInput }>(`/${COLLECTION[version]}/:id`, {
    schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), body: AssignmentPolicyInput },
  }, async (request) => {
    const saved = await updatePolicy(services, actorOf(request), callerOf(request), request.params.id, FAMILIES, (current) => ({
      approval: parseEmApprovalSettings(request.body.requestApprovalSettings, current.policy.approval),
      activation: current.policy.activation,
    }));
    const names = await approverNames(services.store.db, [saved.policy]);
    return { '@odata.context': odataContext(request, version, `${COLLECTION[version]}/$entity`), ...accessPackageAssignmentPolicyShape(saved, version, names) };
  });
}
