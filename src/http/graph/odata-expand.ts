import { ApiError } from '../api-error.js';
import { queryOption } from './odata.js';

/** The navigation properties named in `$expand` (nested options in parentheses are ignored), lower-cased. */
export function expandedNames(query: Record<string, unknown>): Set<string> {
  const expand = queryOption(query, 'expand');
  if (!expand) return new Set();
  const names = new Set<string>();
  let depth = 0;
  let current = '';
  for (const ch of `${expand},`) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      const name = current.trim();
      if (!/^[A-Za-z][\w]*$/.test(name)) throw new ApiError('BAD_REQUEST', `Invalid $expand '${expand}'.`);
      names.add(name.toLowerCase());
      current = '';
    } else if (depth === 0) current += ch;
  }
  return names;
}

/**
 * Shapes carry their navigation properties so `$filter` can reach them (`accessPackage/id eq '…'`);
 * this drops the ones the client did not `$expand`, as Graph leaves them out.
 */
export function dropUnexpanded<T extends Record<string, unknown>>(items: readonly T[], navigation: readonly string[], query: Record<string, unknown>): Record<string, unknown>[] {
  if (navigation.length === 0) return [...items];
  const expanded = expandedNames(query);
  const drop = navigation.filter((n) => !expanded.has(n.toLowerCase()));
  return items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => !drop.includes(k))));
}
