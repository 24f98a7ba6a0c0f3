const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A body without what a client may send back from what it was served, which an update ignores
 * (OData 4.0 Part 1 §11.4.3: non-updatable properties in an update are ignored): instance and
 * property annotations (`@odata.etag`, `reviewResult@odata.type`, `@signoff.approvers`) and the
 * `readOnly` properties. Everything else stays, so validation still refuses unknown properties.
 */
export function withoutServedFields(body: unknown, readOnly: readonly string[] = []): unknown {
  if (!isObject(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !name.includes('@') && !readOnly.includes(name)));
}

/** The same for an ARM resource, whose own fields sit in `properties`. */
export function withoutServedArmFields(body: unknown): unknown {
  const top = withoutServedFields(body);
  return isObject(top) && isObject(top.properties) ? { ...top, properties: withoutServedFields(top.properties) } : top;
}
