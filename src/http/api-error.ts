import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { KeySetUnavailableError, TokenError } from '../auth/verify-token.js';
import { MigrationError } from '../store/migrate.js';
import { StoreUnavailableError, WriteConflictError } from '../store/store.js';

/** Failures that belong to the HTTP edge rather than the domain. */
export type EdgeErrorCode =
  | 'UNAUTHENTICATED'
  | 'UNKNOWN_CALLER'
  | 'MISSING_PERMISSION'
  | 'RATE_LIMITED'
  | 'BAD_REQUEST'
  | 'UNKNOWN_ROUTE'
  | 'UNKNOWN_NAMESPACE'
  | 'METHOD_NOT_ALLOWED'
  | 'METHOD_NOT_IMPLEMENTED'
  | 'INVALID_URL'
  | 'INVALID_SUBSCRIPTION_ID'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MISSING_API_VERSION'
  | 'INVALID_API_VERSION'
  | 'STORE_UNAVAILABLE'
  | 'ISSUER_UNAVAILABLE'
  | 'FAILED_DEPENDENCY'
  | 'INTERNAL';

export type ApiErrorCode = DomainErrorCode | EdgeErrorCode;

/** One error as every wire dialect sees it before it picks its own status, code and envelope. */
export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string, readonly details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: Array<{ keyword?: string; schemaPath?: string; instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
  message?: string;
}

/** `/properties/a~1b` as `.properties.a/b`: a JSON pointer read as the property path a client wrote. */
const pathOf = (pointer: string) => pointer.split('/').slice(1).map((p) => `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`).join('');

function describeValidation(e: FastifyLikeError): string {
  const first = e.validation?.[0];
  if (!first) return 'The request is invalid.';
  const context = e.validationContext ?? 'body';
  const pointer = first.instancePath ?? '';
  // TypeBox reports an unknown property as the `false` schema it met there ("schema is false").
  if (first.keyword === 'boolean' && first.schemaPath?.endsWith('/additionalProperties')) {
    const at = pointer.lastIndexOf('/');
    return `Property '${pathOf(pointer.slice(at)).slice(1)}' is not allowed in ${context}${pathOf(pointer.slice(0, at))}.`;
  }
  const where = `${context}${pathOf(pointer)}`;
  const extra = first.params?.additionalProperty ?? (Array.isArray(first.params?.additionalProperties) ? (first.params.additionalProperties as string[]).join(', ') : undefined);
  const allowed = first.params?.allowedValues ? ` (allowed: ${(first.params.allowedValues as unknown[]).join(', ')})` : '';
  return extra ? `Property '${extra}' is not allowed in ${where}.` : `Invalid value for ${where}: ${first.message ?? 'does not match the schema'}${allowed}.`;
}

/** Turns anything thrown while serving a request into an ApiError; unknown errors become INTERNAL. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return new ApiError(error.code, error.message, error.details);
  if (error instanceof TokenError) return new ApiError('UNAUTHENTICATED', error.message);
  if (error instanceof KeySetUnavailableError) return new ApiError('ISSUER_UNAVAILABLE', "The identity provider's signing keys cannot be read now, so the token could not be checked. Retry the request.");
  if (error instanceof StoreUnavailableError || error instanceof MigrationError) return new ApiError('STORE_UNAVAILABLE', 'The store is temporarily unavailable. Retry the request.');
  // What is left of a write conflict once its own retries are spent: others kept changing the same
  // rows. Nothing was written; the request can be sent again, so 503 with Retry-After, not 500.
  if (error instanceof WriteConflictError) return new ApiError('STORE_UNAVAILABLE', 'Others changed the same items at the same moment and nothing was written. Retry the request.');
  const e = (error ?? {}) as FastifyLikeError;
  if (e.validation) return new ApiError('BAD_REQUEST', describeValidation(e));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new ApiError('BODY_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Write requests must have Content-Type: application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new ApiError('BAD_REQUEST', 'The request body is empty; a JSON object is expected.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new ApiError('BAD_REQUEST', 'The request body is not valid JSON.');
    // Fastify's own messages for these two repeat the whole URL.
    case 'FST_ERR_BAD_URL': return new ApiError('INVALID_URL', 'The request URL is not valid percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH': return new ApiError('URI_TOO_LONG', 'A segment of the request URL is too long.');
    case 'ECONNREFUSED': case 'ECONNRESET': case '57P01': case '08006': case '08001': case '57014':
    // PostgreSQL shutting down, restarting or still starting up; a connection that is gone.
    case '57P02': case '57P03': case '08000': case '08003':
      return new ApiError('STORE_UNAVAILABLE', 'The store is temporarily unavailable. Retry the request.');
  }
  if (e.statusCode === 400 && e.message) return new ApiError('BAD_REQUEST', e.message.replace(/^Body /, 'The request body '));
  if (/Connection terminated|timeout exceeded when trying to connect|not queryable|SQLITE_BUSY/i.test(e.message ?? '')) {
    return new ApiError('STORE_UNAVAILABLE', 'The store is temporarily unavailable. Retry the request.');
  }
  return new ApiError('INTERNAL', 'An unexpected error occurred.');
}

export interface CatalogueEntry {
  readonly status: number;
  readonly code: string;
}

export type ErrorCatalogue = Readonly<Record<ApiErrorCode, CatalogueEntry>>;

/** The headers an error carries in every dialect: how to authenticate, when to retry, which methods the URL has. */
export function errorHeaders(error: ApiError, status: number): Record<string, string> {
  return {
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="signoff", error="invalid_token"' } : {}),
    ...(status === 503 ? { 'retry-after': '1' } : {}),
    ...(error.code === 'RATE_LIMITED' ? { 'retry-after': String(error.details.retryAfterSeconds ?? 1) } : {}),
    ...(error.code === 'METHOD_NOT_ALLOWED' ? { allow: (error.details.allow as readonly string[]).join(', ') } : {}),
  };
}
