/** The shell: who is signed in, which view the address names, and focus on arrival. */
import { ApiFailure, currentSession, establishSession, signInSettings, signOut } from './api.js';
import { errorBox, h, replaceChildren } from './dom.js';
import { renderHistory } from './history.js';
import { renderInbox } from './inbox.js';
import { renderRequests } from './requests.js';
import { answerInAddress, finishSignIn, renderIssuerSignIn } from './oidc.js';
import { renderSignIn } from './signin.js';

const VIEWS = {
  '/inbox': { title: 'To approve', render: renderInbox },
  '/history': { title: 'Decided', render: renderHistory },
  '/requests': { title: 'My requests', render: renderRequests },
};

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let renderCount = 0;
const settings = await signInSettings();

function parseHash() {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  return { path: VIEWS[path] ? path : '/inbox', params: new URLSearchParams(query ?? '') };
}

function showUser(session) {
  nav.hidden = !session;
  if (!session) {
    replaceChildren(who);
    return;
  }
  const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
  out.addEventListener('click', () => {
    signOut();
    void route({ moveFocus: true });
  });
  replaceChildren(who, h('span', { class: 'signed-in' }, 'Signed in as ', h('strong', {}, session.user.displayName)), out);
}

/** `moveFocus`: after a navigation, keyboard and screen-reader users land on the new view's heading. */
async function route({ reason = null, moveFocus = false } = {}) {
  const render = ++renderCount;
  const session = currentSession();
  showUser(session);
  if (!session) {
    document.title = 'Sign in · Signoff';
    const heading = settings.mode === 'oidc'
      ? renderIssuerSignIn(main, settings, reason)
      : renderSignIn(main, () => void route({ moveFocus: true }), reason);
    if (moveFocus || reason) heading.focus();
    return;
  }
  const { path, params } = parseHash();
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${path}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${VIEWS[path].title} · Signoff`;
  let heading;
  try {
    heading = await VIEWS[path].render(main, session, params);
  } catch (error) {
    // A 401 has already sent the user back to sign-in (see api.js); anything else is shown here.
    if (error instanceof ApiFailure && error.status === 401) return;
    replaceChildren(main, errorBox(`This page could not be shown: ${error.message}`, () => void route()));
    return;
  }
  // Only the latest navigation moves focus, so a slow view cannot steal it from a newer one.
  if (moveFocus && render === renderCount && heading?.isConnected) heading.focus();
}

window.addEventListener('hashchange', () => void route({ moveFocus: true }));
window.addEventListener('signoff:signed-out', (event) => void route({ reason: `You were signed out: ${event.detail}` }));

/** Back from the identity provider: finish signing in before showing anything. */
async function start() {
  const answer = answerInAddress();
  if (!answer) return route();
  try {
    await establishSession(await finishSignIn(settings, answer));
  } catch (error) {
    return route({ reason: error.message });
  }
  return route({ moveFocus: true });
}

void start();
