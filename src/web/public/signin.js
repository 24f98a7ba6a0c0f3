/** Dev-mode sign-in: pick a demo user or name any directory user. */
import { ApiFailure, signIn } from './api.js';
import { formMessage, h, replaceChildren, setMessage, uid } from './dom.js';

const DEMO_USERS = [
  ['alice', 'requests access'],
  ['bob', 'approves, stage 1'],
  ['carol', 'approves, stage 2'],
  ['dave', 'no rights'],
  ['admin', 'administrator'],
];

export function renderSignIn(main, onSignedIn, reason) {
  const heading = h('h1', { tabindex: -1 }, 'Sign in');
  const message = formMessage();
  const showError = (text) => setMessage(message, text, 'error');
  const attempt = async (username) => {
    setMessage(message, `Signing in as ${username}…`, 'pending');
    try {
      onSignedIn(await signIn(username));
    } catch (error) {
      showError(error instanceof ApiFailure ? error.message : 'Signoff could not be reached.');
    }
  };

  const inputId = uid('upn');
  const input = h('input', { id: inputId, name: 'username', type: 'text', autocomplete: 'username', spellcheck: 'false', placeholder: 'name@contoso.com' });
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('label', { for: inputId }, 'Another user (user principal name or object id)'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = input.value.trim();
    if (!username) {
      showError('Enter a user principal name, such as alice@contoso.com.');
      input.focus();
      return;
    }
    void attempt(username);
  });

  const demoTitle = uid('demo');
  replaceChildren(main, heading,
    reason ? h('p', { class: 'notice error', role: 'alert' }, reason) : null,
    h('p', {}, 'This Signoff runs in development mode: choose who you are. Tokens stay in this browser tab.'),
    h('section', { 'aria-labelledby': demoTitle },
      h('h2', { id: demoTitle }, 'Demo users'),
      h('ul', { class: 'user-buttons' }, DEMO_USERS.map(([name, role]) => h('li', {},
        h('button', { type: 'button', onclick: () => attempt(`${name}@contoso.com`) },
          h('span', { class: 'user-name' }, `${name}@contoso.com`), h('span', { class: 'user-role' }, role)))))),
    form,
    message);
  return heading;
}
