import { describe, expect, it } from 'vitest';
import { errorHeaders, toApiError } from '../../../src/http/api-error.js';
import { ARM_ERRORS } from '../../../src/http/arm/arm-errors.js';
import { GRAPH_ERRORS } from '../../../src/http/graph/graph-errors.js';
import { WriteConflictError } from '../../../src/store/store.js';

describe('a write conflict that outlasted its retries', () => {
  it('answers 503 with Retry-After in both dialects, saying nothing was written, not 500', () => {
    const error = toApiError(new WriteConflictError('Stage s changed while it was being decided.'));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toMatch(/nothing was written/);
    expect([GRAPH_ERRORS[error.code].status, ARM_ERRORS[error.code].status]).toEqual([503, 503]);
    expect(errorHeaders(error, 503)['retry-after']).toBe('1');
  });
});
