import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import {
  type Pipeline, type PipelineResponse, bearerTokenAuthenticationPolicy, createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type Type from 'typebox';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ARM_ERRORS } from '../../src/http/arm/arm-errors.js';
import { ArmApproval, ArmApprovalList, ArmErrorResponse, ArmScheduleRequest, ArmStage } from '../../src/http/arm/arm-schemas.js';
import { DEMO } from '../support/demo.js';
import { Api } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import type { TestServer } from '../support/test-server.js';

const AUTHZ = '/providers/Microsoft.Authorization';
const V = 'api-version=2021-01-01-preview';
const SUB = DEMO.azure.subscriptionScope;

/**
 * Azure's own HTTP pipeline, unmodified: its default policies plus bearerTokenAuthenticationPolicy
 * with a TokenCredential that hands out Signoff dev tokens. The only non-default is the pipeline's
 * documented `tlsOptions.ca`, so Node trusts Signoff's generated local CA. (In this version
 * createPipelineRequest does not copy a per-request `tlsSettings`; the pipeline option is the way.)
 */
function armClient(server: TestServer, api: Api, user: string) {
  const credential: TokenCredential = {
    getToken: async () => ({ token: await api.token(user), expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  const pipeline: Pipeline = createPipelineFromOptions({ tlsOptions: { ca: readFileSync(server.caFile!, 'utf8') } });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: 'https://management.azure.com/.default' }));
  const httpClient = createDefaultHttpClient();
  return async (method: 'GET' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<PipelineResponse & { json: any }> => {
    const request = createPipelineRequest({
      url: `${server.httpsUrl}${path}`, method,
      headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await pipeline.sendRequest(httpClient, request);
    return Object.assign(response, { json: response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined });
  };
}

function expectShape(schema: Type.TSchema, res: { status: number; json: any; bodyAsText?: string | null }, status = 200) {
  expect(res.status, res.bodyAsText ?? '').toBe(status);
  expect([...Value.Errors(schema, res.json)].map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  return res.json;
}

describe('@azure/core-rest-pipeline against Signoff over HTTPS (ARM role assignment approvals)', () => {
  const signoff = useTestServer({ https: true });

  it('drives request → list asApprover() → get → patch → 409, unmodified', async () => {
    const alice = armClient(signoff.server, signoff.api, 'alice');
    const bob = armClient(signoff.server, signoff.api, 'bob');

    const name = randomUUID();
    const created = expectShape(ArmScheduleRequest, await alice('PUT', `${SUB}${AUTHZ}/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`, {
      properties: {
        principalId: DEMO.users.alice, roleDefinitionId: `${SUB}${AUTHZ}/roleDefinitions/${DEMO.azure.contributor}`, requestType: 'SelfActivate',
        justification: 'Rotate the storage keys', scheduleInfo: { startDateTime: null, expiration: { type: 'AfterDuration', duration: 'PT2H' } },
      },
    }), 201);
    expect(created.properties.status).toBe('PendingApproval');

    const inbox = await bob('GET', `${AUTHZ}/roleAssignmentApprovals?${V}&$filter=asApprover()`);
    expect(inbox.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectShape(ArmApprovalList, inbox).value.map((a: any) => a.name)).toEqual([name]);

    const approval = expectShape(ArmApproval, await bob('GET', `${created.properties.approvalId}?${V}`));
    const stage = approval.properties.stages[0];
    expect(stage.properties).toMatchObject({ status: 'InProgress', assignedToMe: true, reviewResult: 'NotReviewed' });

    const decided = expectShape(ArmStage, await bob('PATCH', `${stage.id}?${V}`, { properties: { reviewResult: 'Approve', justification: 'Keys are due' } }));
    expect(decided.properties).toMatchObject({ status: 'Completed', reviewResult: 'Approve', reviewedBy: { principalId: DEMO.users.bob, userPrincipalName: 'bob@contoso.com' } });

    const again = await bob('PATCH', `${stage.id}?${V}`, { properties: { reviewResult: 'Deny', justification: 'too late' } });
    expect(expectShape(ArmErrorResponse, again, ARM_ERRORS.STEP_ALREADY_DECIDED.status).error.code).toBe(ARM_ERRORS.STEP_ALREADY_DECIDED.code);

    const request = expectShape(ArmScheduleRequest, await alice('GET', `${SUB}${AUTHZ}/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`));
    expect(request.properties.status).toBe('Provisioned');
  });
});
