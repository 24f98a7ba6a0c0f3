/**
 * Decided history: the steps this approver decided, newest first, from Signoff's
 * `/signoff/v1/approvals/decided` (Graph has no such list), each read back for what it was about.
 */
import { ApiFailure, currentSession, list } from './api.js';
import { loadApproval, reviewerOf } from './approvals.js';
import { emptyState, errorBox, facts, h, loading, replaceChildren, uid } from './dom.js';
import { formatDate } from './format.js';

/** The most a person scrolls through here; older decisions are in the audit log. */
const SHOWN = 100;

/** The caller's decision on this approval, and how the approval ended. */
function outcomeFor(item, decision) {
  const denied = item.steps.find((s) => s.reviewResult === 'Denied');
  const ended = denied ? 'Denied' : item.steps.length > 0 && item.steps.every((s) => s.reviewResult === 'Approved') ? 'Approved' : null;
  return { result: decision.reviewResult, byMe: true, at: decision.reviewedDateTime, ended };
}

function stepsLine(item) {
  return item.steps.map((s, i) => {
    const reviewer = reviewerOf(s);
    const label = s.displayName || `Stage ${i + 1}`;
    return reviewer ? `${label}: ${s.reviewResult.toLowerCase()} by ${reviewer.name}` : `${label}: ${s.status === 'Expired' ? 'expired' : 'not decided'}`;
  }).join(' · ');
}

function row(item, outcome) {
  const titleId = uid('decided');
  return h('article', { class: 'card compact', 'aria-labelledby': titleId, 'data-result': outcome.result },
    h('h3', { id: titleId }, h('span', { class: 'requestor' }, item.requestor), ' — ', item.what),
    h('p', { class: 'tags' },
      h('span', { class: `pill ${outcome.result.toLowerCase()}` }, `You ${outcome.result.toLowerCase()}`),
      outcome.ended && outcome.ended !== outcome.result ? h('span', { class: 'tag' }, `Request ${outcome.ended.toLowerCase()}`) : null,
      h('span', { class: 'tag' }, item.familyLabel)),
    facts([['Stages', stepsLine(item)], ['Decided', formatDate(outcome.at)], ['Justification', item.justification]]));
}

const FILTERS = [['all', 'All'], ['Approved', 'Approved'], ['Denied', 'Denied']];

export async function renderHistory(main, session, params) {
  const filter = FILTERS.some(([v]) => v === params.get('result')) ? params.get('result') : 'all';
  const heading = h('h1', { tabindex: -1 }, 'Decided');
  const selectId = uid('filter');
  const select = h('select', { id: selectId }, FILTERS.map(([value, label]) => h('option', { value, selected: value === filter }, label)));
  select.addEventListener('change', () => {
    location.hash = select.value === 'all' ? '#/history' : `#/history?result=${select.value}`;
  });
  const body = h('div', {}, loading('Loading decided approvals…'));
  replaceChildren(main, heading,
    h('div', { class: 'toolbar' }, h('label', { for: selectId }, 'Show'), select),
    body);

  try {
    const result = filter === 'Approved' ? 'Approve' : filter === 'Denied' ? 'Deny' : null;
    const decisions = (await list(`/signoff/v1/approvals/decided?$top=${SHOWN}${result ? `&result=${result}` : ''}`)).slice(0, SHOWN);
    const items = await Promise.all(decisions.map((d) => loadApproval({ family: d.family, approvalId: d.approvalId })
      .then((item) => ({ item, outcome: outcomeFor(item, d) }), (error) => {
        if (error instanceof ApiFailure && (error.status === 404 || error.status === 403)) return null;
        throw error;
      })));
    if (!currentSession()) return heading;
    const decided = items.filter(Boolean);
    if (decided.length === 0) {
      replaceChildren(body, emptyState(filter === 'all' ? 'Nothing decided yet.' : `No ${filter.toLowerCase()} approvals.`,
        'Approvals you approve or deny appear here.'));
    } else {
      replaceChildren(body, h('div', { class: 'cards' }, decided.map(({ item, outcome }) => row(item, outcome))));
    }
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return heading; // api.js has sent the user back to sign-in.
    replaceChildren(body, errorBox(`Decided approvals could not be loaded: ${error.message}`, () => renderHistory(main, session, params)));
  }
  return heading;
}
