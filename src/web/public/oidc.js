/**
 * Sign-in through the server's external OpenID issuer: the authorization code flow with PKCE
 * (RFC 7636, S256) for a public client. What is pending between leaving for the issuer and coming
 * back lives in sessionStorage, so it belongs to this tab only.
 */
import { formMessage, h, replaceChildren, setMessage } from './dom.js';

const PENDING_KEY = 'signoff.oidc.pending';

export class SignInFailure extends Error {}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challengeOf(verifier) {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** The issuer sends people back to the inbox's own address; register exactly this URI there. */
function redirectUri() {
  return new URL('/', location.href).href;
}

async function startSignIn(settings) {
  const verifier = randomString(48);
  const state = randomString(16);
  const nonce = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce, returnTo: location.hash }));
  const url = new URL(settings.authorizationEndpoint);
  for (const [name, value] of Object.entries({
    response_type: 'code', client_id: settings.clientId, redirect_uri: redirectUri(), scope: settings.scopes,
    state, nonce, code_challenge: await challengeOf(verifier), code_challenge_method: 'S256',
  })) url.searchParams.set(name, value);
  location.assign(url.href);
}

/** The issuer's answer in the address (`?code=…&state=…` or `?error=…`), or null when there is none. */
export function answerInAddress() {
  const params = new URLSearchParams(location.search);
  return params.has('code') || params.has('error') ? params : null;
}

function takePending() {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  try {
    return JSON.parse(raw ?? 'null');
  } catch {
    return null;
  }
}

function idTokenNonce(idToken) {
  try {
    const payload = idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).nonce ?? null;
  } catch {
    return null;
  }
}

async function redeem(settings, code, verifier) {
  let response;
  try {
    response = await fetch(settings.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), client_id: settings.clientId, code_verifier: verifier }),
    });
  } catch {
    throw new SignInFailure('The identity provider could not be reached to finish signing in.');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || typeof body?.access_token !== 'string') {
    const why = body?.error_description ?? body?.error ?? `it answered ${response.status}`;
    throw new SignInFailure(`The identity provider refused to finish signing in: ${why}.`);
  }
  return body;
}

/**
 * Trades the code in the address for an access token. The address is cleaned first, so a reload
 * never replays a code; an answer to a sign-in this tab did not start (state mismatch) is refused.
 */
export async function finishSignIn(settings, params) {
  const pending = takePending();
  history.replaceState(null, '', `/${pending?.returnTo ?? ''}`);
  if (params.has('error')) {
    const detail = params.get('error_description');
    const what = params.get('error') === 'access_denied' ? 'Sign-in was cancelled or refused at the identity provider' : `The identity provider answered '${params.get('error')}'`;
    throw new SignInFailure(`${what}${detail ? `: ${detail}` : ''}. You are not signed in.`);
  }
  if (!pending || !params.get('state') || params.get('state') !== pending.state) {
    throw new SignInFailure('This sign-in answer does not belong to a sign-in started in this tab (state mismatch); it was ignored. Sign in again.');
  }
  if (settings.mode !== 'oidc' || !settings.tokenEndpoint) throw new SignInFailure('This server does not sign people in through an identity provider.');
  const tokens = await redeem(settings, params.get('code'), pending.verifier);
  if (tokens.id_token && idTokenNonce(tokens.id_token) !== pending.nonce) {
    throw new SignInFailure('The identity provider answered for another sign-in (nonce mismatch); it was ignored. Sign in again.');
  }
  return tokens.access_token;
}

export function renderIssuerSignIn(main, settings, reason) {
  const heading = h('h1', { tabindex: -1 }, 'Sign in');
  const host = new URL(settings.issuer).host;
  const message = formMessage();
  const ready = settings.authorizationEndpoint && settings.tokenEndpoint && settings.clientId;
  const button = h('button', { type: 'button' }, `Sign in with ${host}`);
  button.addEventListener('click', () => {
    setMessage(message, `Going to ${host}…`, 'pending');
    startSignIn(settings).catch(() => setMessage(message, 'Sign-in could not start in this browser.', 'error'));
  });
  replaceChildren(main, heading,
    reason ? h('p', { class: 'notice error', role: 'alert' }, reason) : null,
    ready
      ? h('p', {}, `This Signoff signs people in through ${host}. Your token stays in this browser tab.`)
      : h('p', { class: 'notice error' }, `This Signoff signs people in through ${host}, but no client is registered for the inbox there. Ask an administrator to set SIGNOFF_OIDC_CLIENT_ID.`),
    ready ? button : null,
    message);
  return heading;
}
