import Value from 'typebox/value';
import { expect } from 'vitest';
import { ARM_ERRORS } from '../../src/http/arm/arm-errors.js';
import { ArmErrorResponse } from '../../src/http/arm/arm-schemas.js';
import type { ApiResponse } from './http.js';

/** Asserts a response is the catalogue's answer for `code`, in ARM's error envelope with its request id. */
export function expectArmError(res: ApiResponse, code: keyof typeof ARM_ERRORS): void {
  const entry = ARM_ERRORS[code];
  expect(res.status, res.text).toBe(entry.status);
  expect([...Value.Errors(ArmErrorResponse, res.body)].map((e) => `${e.instancePath} ${e.message}`), res.text).toEqual([]);
  expect(res.body.error.code).toBe(entry.code);
  expect(res.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}
