/**
 * Builds elements from tag, attributes and children. Text always goes in as text nodes, never as
 * markup, so names and justifications typed by users cannot inject anything.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...nodes(children));
  return element;
}

function nodes(children) {
  return children.flat(Infinity)
    .filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
}

export function replaceChildren(element, ...children) {
  element.replaceChildren(...nodes(children));
}

let idCounter = 0;
/** Unique ids to tie labels to fields and headings to the regions they name. */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Tells screen-reader users what just happened without moving their focus. */
export function announce(message) {
  const region = document.getElementById('announce');
  if (region) region.textContent = message;
}

export function errorBox(message, retry) {
  return h('div', { class: 'notice error', role: 'alert' },
    h('p', {}, message),
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null);
}

export function emptyState(title, detail) {
  return h('div', { class: 'notice empty' }, h('p', { class: 'empty-title' }, title), detail ? h('p', { class: 'muted' }, detail) : null);
}

export function loading(label) {
  return h('p', { class: 'muted', 'aria-busy': 'true' }, label);
}

/** A labelled list of facts; entries with no value are left out rather than shown blank. */
export function facts(entries) {
  const rows = entries.filter(([, value]) => value !== null && value !== undefined && value !== '');
  return h('dl', { class: 'facts' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

/** The line under a form: progress is announced politely, an error as an alert. */
export function formMessage() {
  return h('p', { class: 'form-message', 'aria-live': 'polite' });
}

export function setMessage(element, text, kind) {
  element.textContent = text;
  element.className = `form-message ${kind}`;
  if (kind === 'error') element.setAttribute('role', 'alert');
  else element.removeAttribute('role');
}
