import { ApiError } from '../api-error.js';

export const PROVIDER = '/providers/Microsoft.Authorization';

/**
 * An ARM path split into the scope it addresses and the segments after the provider. Scopes are
 * unencoded and of any length (`subscriptions/{id}`, `.../resourceGroups/{rg}`, a resource id,
 * `providers/Microsoft.Management/managementGroups/{id}`), so the path is split at the last
 * `/providers/Microsoft.Authorization/`, which is where Microsoft.Authorization's own resource
 * types begin.
 */
export interface ArmPath {
  /** The scope as addressed, with a leading slash and no trailing one; '' for the tenant. */
  readonly scope: string;
  readonly segments: readonly string[];
}

const MARKER = `${PROVIDER.toLowerCase()}/`;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('BAD_REQUEST', `The path segment '${segment}' is not valid percent-encoding.`);
  }
}

/** `providers/Microsoft.Subscription/subscriptions/{id}` is another spelling of `subscriptions/{id}`. */
function canonicalScope(scope: string): string {
  const trimmed = scope.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return trimmed.replace(/^\/providers\/Microsoft\.Subscription(?=\/subscriptions\/)/i, '');
}

export function parseArmPath(url: string): ArmPath | null {
  const path = url.split('?')[0]!;
  const at = path.toLowerCase().lastIndexOf(MARKER);
  if (at < 0) return null;
  const scope = canonicalScope(path.slice(0, at).split('/').map(decode).join('/'));
  const segments = path.slice(at + MARKER.length).split('/').filter((s) => s !== '').map(decode);
  return { scope, segments };
}

/** Resource ids under the addressed scope, as ARM prefixes them. */
export function resourceId(scope: string, ...rest: string[]): string {
  return `${scope}${PROVIDER}/${rest.join('/')}`;
}
