import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, type ErrorCatalogue, errorHeaders, toApiError } from '../api-error.js';

/** Domain and edge failures as Microsoft Graph reports them. Tests assert against this table. */
export const GRAPH_ERRORS: ErrorCatalogue = {
  REQUEST_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  APPROVAL_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  STEP_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  TARGET_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  PRINCIPAL_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  NOT_AN_APPROVER: { status: 403, code: 'accessDenied' },
  SELF_APPROVAL: { status: 403, code: 'SelfApprovalNotAllowed' },
  STAGE_NOT_CURRENT: { status: 403, code: 'ApprovalStageNotActive' },
  STEP_ALREADY_DECIDED: { status: 409, code: 'ApprovalStepAlreadyDecided' },
  APPROVAL_CLOSED: { status: 409, code: 'ApprovalCompleted' },
  REQUEST_CANCELED: { status: 409, code: 'RequestCanceled' },
  STEP_EXPIRED: { status: 409, code: 'ApprovalStepExpired' },
  JUSTIFICATION_REQUIRED: { status: 400, code: 'JustificationRequired' },
  INVALID_DECISION: { status: 400, code: 'InvalidReviewResult' },
  NOT_ELIGIBLE: { status: 400, code: 'RoleAssignmentRequestPolicyValidationFailed' },
  ASSIGNMENT_EXISTS: { status: 400, code: 'RoleAssignmentExists' },
  PENDING_REQUEST_EXISTS: { status: 400, code: 'PendingRoleAssignmentRequest' },
  POLICY_VALIDATION_FAILED: { status: 400, code: 'RoleAssignmentRequestPolicyValidationFailed' },
  INVALID_SCHEDULE: { status: 400, code: 'InvalidScheduleInfo' },
  NOT_CANCELABLE: { status: 400, code: 'RequestNotCancelable' },
  NOT_OWN_REQUEST: { status: 403, code: 'SelfActivateForOtherPrincipal' },
  ACCESS_DENIED: { status: 403, code: 'accessDenied' },
  INVALID_REQUEST: { status: 400, code: 'invalidRequest' },
  POLICY_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  INVALID_POLICY: { status: 400, code: 'InvalidPolicy' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  DELIVERY_NOT_FOUND: { status: 404, code: 'ResourceNotFound' },
  ASSIGNMENT_NOT_FOUND: { status: 400, code: 'RoleAssignmentDoesNotExist' },
  UNAUTHENTICATED: { status: 401, code: 'InvalidAuthenticationToken' },
  UNKNOWN_CALLER: { status: 403, code: 'UnknownPrincipal' },
  MISSING_PERMISSION: { status: 403, code: 'Authorization_RequestDenied' },
  RATE_LIMITED: { status: 429, code: 'TooManyRequests' },
  BAD_REQUEST: { status: 400, code: 'BadRequest' },
  UNKNOWN_ROUTE: { status: 404, code: 'ResourceNotFound' },
  UNKNOWN_NAMESPACE: { status: 404, code: 'ResourceNotFound' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'methodNotAllowed' },
  METHOD_NOT_IMPLEMENTED: { status: 501, code: 'notSupported' },
  INVALID_URL: { status: 400, code: 'BadRequest' },
  INVALID_SUBSCRIPTION_ID: { status: 400, code: 'BadRequest' },
  URI_TOO_LONG: { status: 414, code: 'RequestUriTooLong' },
  HEADERS_TOO_LARGE: { status: 431, code: 'RequestHeaderFieldsTooLarge' },
  REQUEST_TIMEOUT: { status: 408, code: 'timeout' },
  BODY_TOO_LARGE: { status: 413, code: 'RequestEntityTooLarge' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'UnsupportedMediaType' },
  MISSING_API_VERSION: { status: 400, code: 'BadRequest' },
  INVALID_API_VERSION: { status: 400, code: 'BadRequest' },
  STORE_UNAVAILABLE: { status: 503, code: 'serviceNotAvailable' },
  ISSUER_UNAVAILABLE: { status: 503, code: 'serviceNotAvailable' },
  FAILED_DEPENDENCY: { status: 424, code: 'FailedDependency' },
  INTERNAL: { status: 500, code: 'generalException' },
};

export function graphErrorBody(error: ApiError, request: Pick<FastifyRequest, 'id' | 'clientRequestId'>, now: Date = new Date()): { status: number; body: object } {
  const entry = GRAPH_ERRORS[error.code];
  return {
    status: entry.status,
    body: {
      error: {
        code: entry.code,
        message: error.message,
        innerError: {
          date: now.toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': request.id,
          'client-request-id': request.clientRequestId,
        },
      },
    },
  };
}

/** The Graph dialect's one error handler: a client sees a 4xx's message, never a 5xx's. */
export function sendGraphError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  const { status, body } = graphErrorBody(apiError, request);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  reply.headers(errorHeaders(apiError, status));
  return reply.code(status).type('application/json').send(body);
}
