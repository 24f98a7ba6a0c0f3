import { Duration } from '@microsoft/kiota-abstractions';
import { JsonParseNode, JsonSerializationWriter } from '@microsoft/kiota-serialization-json';
import {
  type SingleUser, type UnifiedRoleManagementPolicyApprovalRule, type UnifiedRoleManagementPolicyExpirationRule, type UnifiedRoleManagementPolicyRule,
  createUnifiedRoleManagementPolicyRuleFromDiscriminatorValue, serializeUnifiedRoleManagementPolicyExpirationRule,
} from '@microsoft/msgraph-beta-sdk/models/index.js';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { useTestServer } from '../support/server-fixture.js';

const POLICY = `Directory_${DEMO.tenantId}_477041d4-49df-4a2e-80ea-df5ead16277e`;
const RULES = `/beta/policies/roleManagementPolicies/${POLICY}/rules`;

/** The beta SDK's own models: what it parses from Signoff's answers. */
function parseRule(body: unknown): UnifiedRoleManagementPolicyRule {
  return new JsonParseNode(body).getObjectValue(createUnifiedRoleManagementPolicyRuleFromDiscriminatorValue);
}

/**
 * The body the SDK writes, through the derived type's serializer: this SDK version's base-type
 * serializer (and its userSet one) drops a derived type's own fields, so a body written that way
 * carries nothing to change.
 */
function serializeExpirationRule(rule: UnifiedRoleManagementPolicyExpirationRule): string {
  const writer = new JsonSerializationWriter();
  writer.writeObjectValue(undefined, rule, serializeUnifiedRoleManagementPolicyExpirationRule);
  return new TextDecoder().decode(writer.getSerializedContent());
}

describe('@microsoft/msgraph-beta-sdk models against Signoff policy rules', () => {
  const signoff = useTestServer();

  it('parses the approval rule into the SDK model, approvers included', async () => {
    const read = await signoff.api.get(`${RULES}/Approval_EndUser_Assignment`, 'admin');
    expect(read.status, read.text).toBe(200);
    const rule = parseRule(read.body) as UnifiedRoleManagementPolicyApprovalRule;
    expect(rule.odataType).toBe('#microsoft.graph.unifiedRoleManagementPolicyApprovalRule');
    expect(rule.setting).toMatchObject({ isApprovalRequired: true, approvalMode: 'SingleStage' });
    const stage = rule.setting!.approvalStages![0]!;
    expect(stage).toMatchObject({ approvalStageTimeOutInDays: 1, isEscalationEnabled: false, escalationTimeInMinutes: 0 });
    expect(stage.primaryApprovers![0]).toMatchObject({ odataType: '#microsoft.graph.singleUser', isBackup: false, id: DEMO.users.bob, description: 'Bob Approver' } satisfies SingleUser);
  });

  it('accepts the expiration rule the SDK writes, its Duration included, and reads it back', async () => {
    const rule = parseRule((await signoff.api.get(`${RULES}/Expiration_EndUser_Assignment`, 'admin')).body) as UnifiedRoleManagementPolicyExpirationRule;
    expect(rule.maximumDuration).toMatchObject({ hours: 8 });
    rule.maximumDuration = new Duration({ hours: 2, minutes: 30 });
    const written = await signoff.api.call('PATCH', `${RULES}/Expiration_EndUser_Assignment`, { as: 'admin', rawBody: serializeExpirationRule(rule), headers: { 'content-type': 'application/json' } });
    expect(written.status, written.text).toBe(204);
    const after = parseRule((await signoff.api.get(`${RULES}/Expiration_EndUser_Assignment`, 'admin')).body) as UnifiedRoleManagementPolicyExpirationRule;
    expect(after.maximumDuration).toMatchObject({ hours: 2, minutes: 30 });
  });
});
