import type { SignInSettings } from '../auth/sign-in-settings.js';
import { CliError, EXIT } from './exit-codes.js';

type IssuerSettings = Extract<SignInSettings, { mode: 'oidc' }>;

interface DeviceAuthorization {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete?: string;
  readonly expires_in: number;
  readonly interval?: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number | null;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: without an interval from the issuer, poll every 5 seconds; `slow_down` adds 5. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_S = 5;

async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> | null }> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams(form) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new CliError(`Cannot reach the identity provider at ${new URL(url).origin}: ${cause?.code ?? (error as Error).message}.`, EXIT.error);
  }
  const body = await response.json().catch(() => null) as Record<string, unknown> | null;
  return { status: response.status, body };
}

function oauthError(body: Record<string, unknown> | null, status: number): string {
  const error = typeof body?.error === 'string' ? body.error : `HTTP ${status}`;
  return typeof body?.error_description === 'string' ? `${error}: ${body.error_description}` : error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) against the server's identity provider:
 * the person signs in on any browser with the code `notify` shows, while this polls the token
 * endpoint at the pace the issuer asks, until the code expires.
 */
export async function deviceLogin(settings: IssuerSettings, notify: (text: string) => void): Promise<IssuedToken> {
  const { deviceAuthorizationEndpoint, tokenEndpoint, clientId } = settings;
  if (!deviceAuthorizationEndpoint || !tokenEndpoint || !clientId) {
    throw new CliError(`This server signs people in through ${settings.issuer}, but ${clientId ? 'that issuer offers no device sign-in' : 'no client is configured for it (SIGNOFF_OIDC_CLIENT_ID)'}. `
      + 'Get a token from your identity provider and run `signoff login --with-token < token.txt`.', EXIT.error);
  }
  const started = await postForm(deviceAuthorizationEndpoint, { client_id: clientId, scope: settings.scopes });
  const grant = started.body as Partial<DeviceAuthorization> | null;
  if (started.status !== 200 || typeof grant?.device_code !== 'string' || typeof grant.user_code !== 'string' || typeof grant.verification_uri !== 'string') {
    throw new CliError(`The identity provider refused to start a device sign-in (${oauthError(started.body, started.status)}).`, EXIT.error);
  }
  notify(`To sign in, open ${grant.verification_uri} and enter the code ${grant.user_code}`
    + `${grant.verification_uri_complete ? ` (or open ${grant.verification_uri_complete})` : ''}. Waiting…`);

  let intervalS = Math.max(1, grant.interval ?? DEFAULT_INTERVAL_S);
  const deadline = Date.now() + Math.max(1, grant.expires_in ?? 600) * 1000;
  while (Date.now() < deadline) {
    await sleep(intervalS * 1000);
    const polled = await postForm(tokenEndpoint, { grant_type: DEVICE_GRANT, device_code: grant.device_code, client_id: clientId });
    if (polled.status === 200 && typeof polled.body?.access_token === 'string') {
      return { accessToken: polled.body.access_token, expiresIn: typeof polled.body.expires_in === 'number' ? polled.body.expires_in : null };
    }
    const error = polled.body?.error;
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      intervalS += SLOW_DOWN_S;
      continue;
    }
    if (error === 'access_denied') throw new CliError('Sign-in was declined at the identity provider.', EXIT.forbidden);
    if (error === 'expired_token') break;
    throw new CliError(`The identity provider refused the sign-in (${oauthError(polled.body, polled.status)}).`, EXIT.error);
  }
  throw new CliError('The sign-in code expired before anyone entered it; run `signoff login` again.', EXIT.error);
}
