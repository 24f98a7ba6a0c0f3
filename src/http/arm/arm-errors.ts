import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, type ErrorCatalogue, errorHeaders, toApiError } from '../api-error.js';

/**
 * Domain and edge failures as Azure Resource Manager reports them. Generic ARM codes where the
 * resource provider contract names one (AuthorizationFailed, InvalidRequestContent, the api-version
 * codes), resource-specific ones elsewhere. Tests assert against this table.
 */
export const ARM_ERRORS: ErrorCatalogue = {
  REQUEST_NOT_FOUND: { status: 404, code: 'RoleAssignmentScheduleRequestNotFound' },
  APPROVAL_NOT_FOUND: { status: 404, code: 'RoleAssignmentApprovalNotFound' },
  STEP_NOT_FOUND: { status: 404, code: 'RoleAssignmentApprovalStageNotFound' },
  TARGET_NOT_FOUND: { status: 400, code: 'RoleDefinitionDoesNotExist' },
  PRINCIPAL_NOT_FOUND: { status: 400, code: 'PrincipalNotFound' },
  NOT_AN_APPROVER: { status: 403, code: 'AuthorizationFailed' },
  SELF_APPROVAL: { status: 403, code: 'SelfApprovalNotAllowed' },
  STAGE_NOT_CURRENT: { status: 403, code: 'RoleAssignmentApprovalStageNotActive' },
  STEP_ALREADY_DECIDED: { status: 409, code: 'Conflict' },
  APPROVAL_CLOSED: { status: 409, code: 'RoleAssignmentApprovalCompleted' },
  REQUEST_CANCELED: { status: 409, code: 'RoleAssignmentScheduleRequestCanceled' },
  STEP_EXPIRED: { status: 409, code: 'RoleAssignmentApprovalStageExpired' },
  JUSTIFICATION_REQUIRED: { status: 400, code: 'JustificationRequired' },
  INVALID_DECISION: { status: 400, code: 'InvalidReviewResult' },
  NOT_ELIGIBLE: { status: 400, code: 'RoleAssignmentRequestPolicyValidationFailed' },
  ASSIGNMENT_EXISTS: { status: 409, code: 'RoleAssignmentExists' },
  PENDING_REQUEST_EXISTS: { status: 400, code: 'PendingRoleAssignmentRequest' },
  POLICY_VALIDATION_FAILED: { status: 400, code: 'RoleAssignmentRequestPolicyValidationFailed' },
  INVALID_SCHEDULE: { status: 400, code: 'InvalidScheduleInfo' },
  NOT_CANCELABLE: { status: 400, code: 'RequestNotCancelable' },
  NOT_OWN_REQUEST: { status: 403, code: 'AuthorizationFailed' },
  ACCESS_DENIED: { status: 403, code: 'AuthorizationFailed' },
  INVALID_REQUEST: { status: 400, code: 'BadRequest' },
  POLICY_NOT_FOUND: { status: 404, code: 'RoleManagementPolicyNotFound' },
  INVALID_POLICY: { status: 400, code: 'InvalidRoleManagementPolicy' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  DELIVERY_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  ASSIGNMENT_NOT_FOUND: { status: 400, code: 'RoleAssignmentDoesNotExist' },
  UNAUTHENTICATED: { status: 401, code: 'InvalidAuthenticationToken' },
  UNKNOWN_CALLER: { status: 403, code: 'AuthorizationFailed' },
  MISSING_PERMISSION: { status: 403, code: 'AuthorizationFailed' },
  RATE_LIMITED: { status: 429, code: 'TooManyRequests' },
  BAD_REQUEST: { status: 400, code: 'InvalidRequestContent' },
  UNKNOWN_ROUTE: { status: 404, code: 'InvalidResourceType' },
  UNKNOWN_NAMESPACE: { status: 404, code: 'InvalidResourceNamespace' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'MethodNotAllowed' },
  METHOD_NOT_IMPLEMENTED: { status: 501, code: 'NotImplemented' },
  INVALID_URL: { status: 400, code: 'InvalidRequestUri' },
  INVALID_SUBSCRIPTION_ID: { status: 400, code: 'InvalidSubscriptionId' },
  URI_TOO_LONG: { status: 414, code: 'RequestUriTooLong' },
  HEADERS_TOO_LARGE: { status: 431, code: 'RequestHeaderFieldsTooLarge' },
  REQUEST_TIMEOUT: { status: 408, code: 'RequestTimeout' },
  BODY_TOO_LARGE: { status: 413, code: 'RequestEntityTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'UnsupportedMediaType' },
  MISSING_API_VERSION: { status: 400, code: 'MissingApiVersionParameter' },
  INVALID_API_VERSION: { status: 400, code: 'InvalidApiVersionParameter' },
  STORE_UNAVAILABLE: { status: 503, code: 'ServiceUnavailable' },
  ISSUER_UNAVAILABLE: { status: 503, code: 'ServiceUnavailable' },
  FAILED_DEPENDENCY: { status: 424, code: 'FailedDependency' },
  INTERNAL: { status: 500, code: 'InternalServerError' },
};

export function armErrorBody(error: ApiError): { status: number; body: { error: { code: string; message: string } } } {
  const entry = ARM_ERRORS[error.code];
  return { status: entry.status, body: { error: { code: entry.code, message: error.message } } };
}

/** The ARM dialect's one error handler: a client sees a 4xx's message, never a 5xx's. */
export function sendArmError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  const { status, body } = armErrorBody(apiError);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  reply.headers(errorHeaders(apiError, status));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
