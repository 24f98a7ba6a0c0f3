import { describe, expect, it } from 'vitest';
import { matches, parseFilter, valuesAllowed } from '../../../src/http/graph/odata-filter.js';

describe('$filter values a store may narrow its read to', () => {
  const allowed = (filter: string) => valuesAllowed(parseFilter(filter), 'status');

  it('reads eq and in at the top level, and intersects them across and', () => {
    expect(allowed("status eq 'PendingApproval'")).toEqual(['PendingApproval']);
    expect(allowed("status in ('A', 'B') and id eq 'x'")).toEqual(['A', 'B']);
    expect(allowed("status in ('A', 'B') and (status eq 'b')")).toEqual(['B']);
    expect(allowed("status eq 'A' and status eq 'B'")).toEqual([]);
  });

  it('does not narrow where the filter does not bound the property', () => {
    for (const filter of ["id eq 'x'", "status ne 'A'", "status eq 'A' or id eq 'x'", "not (status eq 'A')", "startswith(status, 'A')", "status gt 'A'", "request/status eq 'A'"]) {
      expect(allowed(filter), filter).toBeUndefined();
    }
    expect(valuesAllowed(null, 'status')).toBeUndefined();
  });

  it('never narrows away an item the filter keeps', () => {
    const items = ['PendingApproval', 'Denied', 'Provisioned'].flatMap((status) => ['a', 'b'].map((id) => ({ status, id })));
    for (const filter of ["status eq 'pendingapproval' and id eq 'a'", "status in ('Denied', 'PROVISIONED') and not (id eq 'b')", "(status eq 'Denied') and (status in ('denied', 'x'))"]) {
      const expr = parseFilter(filter);
      const values = valuesAllowed(expr, 'status')!.map((v) => String(v).toLowerCase());
      for (const item of items.filter((i) => matches(expr, i))) expect(values, `${filter}: ${item.status}`).toContain(item.status.toLowerCase());
    }
  });
});
