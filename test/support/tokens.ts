import { type JWK, type JWTPayload, SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK } from 'jose';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenKey {
  readonly kid: string;
  readonly privateJwk: JWK;
}

export async function newKey(kid: string): Promise<TokenKey & { readonly publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateJwk: await exportJWK(privateKey), publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Signs `claims` as they are (no defaults added), so a test controls iss, aud, exp and nbf. */
export async function signToken(key: TokenKey, claims: JWTPayload & Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(await importJWK(key.privateJwk, 'RS256'));
}

/** The same claims with `alg: none` and no signature. */
export function unsignedToken(claims: object): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** A signed token whose payload was changed afterwards; its signature no longer matches. */
export function tamperedToken(token: string, changes: object): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64({ ...decodeJwt(token), ...changes })}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
