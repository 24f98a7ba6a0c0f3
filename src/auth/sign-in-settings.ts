/**
 * How people get a token for this server, as the web inbox and `signoff login` learn it from
 * `GET /web/config.json`: the dev issuer's `/dev/token`, or an external OpenID issuer's endpoints
 * (from its discovery document) with the public client registered there for Signoff.
 */
export type SignInSettings =
  | { readonly mode: 'dev' }
  | {
    readonly mode: 'oidc';
    readonly issuer: string;
    /** null when the issuer offers no such endpoint, or no client id is configured. */
    readonly authorizationEndpoint: string | null;
    readonly tokenEndpoint: string | null;
    readonly deviceAuthorizationEndpoint: string | null;
    readonly clientId: string | null;
    readonly scopes: string;
  };

/** The parts of an OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3, RFC 8628 §4) sign-in uses. */
export interface DiscoveredEndpoints {
  readonly issuer: string;
  readonly authorization_endpoint?: string;
  readonly token_endpoint?: string;
  readonly device_authorization_endpoint?: string;
}

export function externalSignIn(doc: DiscoveredEndpoints, clientId: string | null, scopes: string): SignInSettings {
  const endpoint = (value: unknown) => (clientId && typeof value === 'string' && /^https?:\/\//.test(value) ? value : null);
  return {
    mode: 'oidc',
    issuer: doc.issuer,
    authorizationEndpoint: endpoint(doc.authorization_endpoint),
    tokenEndpoint: endpoint(doc.token_endpoint),
    deviceAuthorizationEndpoint: endpoint(doc.device_authorization_endpoint),
    clientId,
    scopes,
  };
}
