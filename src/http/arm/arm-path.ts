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
    throw new ApiError('INVALID_URL', `The path segment '${segment}' is not valid percent-encoding.`);
  }
}

/** `providers/Microsoft.Subscription/subscriptions/{id}` is another spelling of `subscriptions/{id}`. */
function canonicalScope(scope: string): string {
  return scope.replace(/^\/providers\/Microsoft\.Subscription(?=\/subscriptions\/)/i, '');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refuses a scope that addresses nothing, rather than reading it as some other scope: an empty
 * segment (`/subscriptions//...` would otherwise sit above every subscription), a subscription
 * whose id is not a GUID, a resource group without a name.
 */
function assertWellFormed(scope: string): void {
  if (scope === '') return;
  const segments = scope.slice(1).split('/');
  if (segments.includes('')) throw new ApiError('INVALID_URL', 'The scope in the request URL has an empty segment.');
  if (segments[0]!.toLowerCase() !== 'subscriptions') return;
  const id = segments[1] ?? '';
  if (!GUID.test(id)) throw new ApiError('INVALID_SUBSCRIPTION_ID', `The provided subscription identifier '${id}' is malformed or invalid.`);
  if (segments[2]?.toLowerCase() === 'resourcegroups' && segments.length < 4) throw new ApiError('INVALID_URL', 'The scope in the request URL names no resource group.');
}

export function parseArmPath(url: string): ArmPath | null {
  const path = url.split('?')[0]!;
  const at = path.toLowerCase().lastIndexOf(MARKER);
  if (at < 0) return null;
  const scope = canonicalScope(path.slice(0, at).split('/').map(decode).join('/'));
  assertWellFormed(scope);
  const segments = path.slice(at + MARKER.length).split('/').filter((s) => s !== '').map(decode);
  return { scope, segments };
}

/** Resource ids under the addressed scope, as ARM prefixes them. */
export function resourceId(scope: string, ...rest: string[]): string {
  return `${scope}${PROVIDER}/${rest.join('/')}`;
}
