/** The approver's view: what waits for my decision, and the decision itself. */
import { ApiFailure, serverNow } from './api.js';
import { decide, pendingForMe } from './approvals.js';
import { announce, emptyState, errorBox, facts, formMessage, h, loading, replaceChildren, setMessage, uid } from './dom.js';
import { formatDate, formatSpan } from './format.js';

/** A break-glass review's deadline is when the access is revoked if no one approves, not when a request lapses. */
function timeLeft(stage, now, emergency) {
  if (!stage?.expiresAt) return null;
  const left = stage.expiresAt - now;
  const escalation = stage.escalatesAt && stage.escalatesAt > now ? `, escalates in ${formatSpan(stage.escalatesAt - now)}` : '';
  if (emergency) return left > 0 ? `review due in ${formatSpan(left)}${escalation}` : 'review due now';
  return left > 0 ? `expires in ${formatSpan(left)}${escalation}` : 'expiring now';
}

/** Said plainly, since approving here does not grant anything: the access is already in use. */
function emergencyNotice(emergency) {
  const until = formatDate(emergency.activeUntil);
  const by = formatDate(emergency.reviewBy);
  return h('p', { class: 'notice emergency' },
    `Emergency access, already active${until ? ` until ${until}` : ''}; review${by ? ` by ${by}` : ''}; Deny revokes it.`);
}

function decisionForm(item, step, session, onDone) {
  const fieldId = uid('justification');
  const hintId = uid('hint');
  const messageId = uid('message');
  const field = h('textarea', { id: fieldId, name: 'justification', rows: 2, maxlength: 4000, 'aria-describedby': `${hintId} ${messageId}` });
  const message = formMessage();
  message.id = messageId;
  const buttons = [
    h('button', { type: 'submit', name: 'reviewResult', value: 'Approve', class: 'approve' }, 'Approve'),
    h('button', { type: 'submit', name: 'reviewResult', value: 'Deny', class: 'deny' }, 'Deny'),
  ];
  const form = h('form', { class: 'decision', novalidate: true },
    h('label', { for: fieldId }, 'Your justification'),
    h('p', { id: hintId, class: 'hint' }, 'Why you approve or deny; the requestor and the audit log see it.'),
    field,
    h('div', { class: 'actions' }, buttons),
    message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const reviewResult = event.submitter?.value === 'Deny' ? 'Deny' : 'Approve';
    for (const b of buttons) b.disabled = true;
    setMessage(message, reviewResult === 'Approve' ? 'Approving…' : 'Denying…', 'pending');
    try {
      const outcome = await decide(item, step, reviewResult, field.value.trim() || null);
      if (outcome.ok) {
        onDone(`${reviewResult === 'Approve' ? 'Approved' : 'Denied'}: ${item.requestor}, ${item.what}.`);
        return;
      }
      // Someone decided first: say who. Otherwise (a canceled or expired request) the server says why.
      const decidedBy = outcome.reviewer && outcome.result && outcome.result !== 'NotReviewed'
        ? `Already decided by ${outcome.reviewer} (${outcome.result.toLowerCase()}).` : null;
      setMessage(message, `${decidedBy ?? outcome.message} Nothing more to do here.`, 'error');
      field.disabled = true;
    } catch (error) {
      // A 400 (justification required, too long...) or 403: the server's words, and the form stays usable.
      setMessage(message, error instanceof ApiFailure ? error.message : 'The decision could not be sent; check the connection and try again.', 'error');
      for (const b of buttons) b.disabled = false;
      if (error instanceof ApiFailure && error.status === 400) field.focus();
    }
  });
  return form;
}

function card(item, now, session, onDone) {
  const titleId = uid('item');
  const { stage, emergency } = item;
  return h('article', { class: 'card', 'aria-labelledby': titleId, 'data-approval-id': item.approvalId },
    h('h3', { id: titleId }, h('span', { class: 'requestor' }, item.requestor), emergency ? ' used emergency access to ' : ' asks for ', h('span', { class: 'what' }, item.what)),
    h('p', { class: 'tags' },
      h('span', { class: 'tag' }, item.familyLabel),
      emergency ? h('span', { class: 'tag emergency' }, 'Emergency access') : null,
      stage ? h('span', { class: 'tag' }, `Stage ${stage.number} of ${stage.of}`) : null,
      stage ? h('span', { class: 'tag time' }, timeLeft(stage, now, emergency)) : null),
    emergency ? emergencyNotice(emergency) : null,
    facts([
      ['Scope', item.scope],
      ['Justification', item.justification ?? 'None given'],
      ['Ticket', item.ticket],
      ['Schedule', item.schedule],
      ['Requested', formatDate(item.created)],
      ['Stage', stage?.step.displayName],
      ['Who may decide', stage?.approvers.length ? stage.approvers.join(', ') : null],
    ]),
    stage ? decisionForm(item, stage.step, session, onDone) : h('p', { class: 'muted' }, 'No stage is waiting for a decision.'));
}

export async function renderInbox(main, session) {
  const heading = h('h1', { tabindex: -1 }, 'Waiting for your decision');
  const body = h('div', {}, loading('Loading your approvals…'));
  replaceChildren(main, heading, body);

  const refresh = async (notice) => {
    try {
      const [items, now] = await Promise.all([pendingForMe(), serverNow()]);
      const done = notice ? h('p', { class: 'notice success', role: 'status' }, notice) : null;
      if (items.length === 0) {
        replaceChildren(body, done, emptyState('Nothing waits for your decision.', 'Requests that need your approval appear here.'));
        return;
      }
      replaceChildren(body, done,
        h('p', { class: 'muted' }, `${items.length} ${items.length === 1 ? 'request waits' : 'requests wait'} for you.`),
        h('div', { class: 'cards' }, items.map((item) => card(item, now, session, (message) => {
          announce(message);
          void refresh(message);
        }))));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) return; // api.js has sent the user back to sign-in.
      replaceChildren(body, errorBox(`Your approvals could not be loaded: ${error.message}`, () => refresh()));
    }
  };
  await refresh();
  return heading;
}
