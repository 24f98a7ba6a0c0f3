/**
 * Decided history. Graph has no "approvals I decided" list, so this browser remembers which
 * approvals it has shown each approver and reads each back: its steps say who decided what.
 */
import { ApiFailure, currentSession } from './api.js';
import { loadApproval, reviewerOf } from './approvals.js';
import { emptyState, errorBox, facts, h, loading, replaceChildren, uid } from './dom.js';
import { formatDate } from './format.js';

const KEEP = 100;
const keyFor = (userId) => `signoff.seen.${userId}`;

function remembered(userId) {
  try {
    const value = JSON.parse(localStorage.getItem(keyFor(userId)) ?? '[]');
    return Array.isArray(value) ? value.filter((r) => r && typeof r.family === 'string' && typeof r.approvalId === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberApprovals(userId, items) {
  const known = remembered(userId);
  const ids = new Set(known.map((r) => r.approvalId));
  const added = items.filter((i) => !ids.has(i.approvalId)).map((i) => ({ family: i.family, approvalId: i.approvalId }));
  if (added.length === 0) return;
  try {
    localStorage.setItem(keyFor(userId), JSON.stringify([...added, ...known].slice(0, KEEP)));
  } catch {
    // Storage full or disabled: history is a convenience, the inbox works without it.
  }
}

/** What the caller decided, or else how the approval ended; null while it still waits for the caller. */
function outcomeFor(item, userId) {
  const mine = item.steps.find((s) => reviewerOf(s)?.id === userId && s.reviewResult !== 'NotReviewed');
  if (mine) return { result: mine.reviewResult, byMe: true, at: mine.reviewedDateTime };
  const denied = item.steps.find((s) => s.reviewResult === 'Denied');
  if (denied) return { result: 'Denied', byMe: false, at: denied.reviewedDateTime };
  if (item.steps.some((s) => s.status === 'Expired')) return { result: 'Expired', byMe: false, at: null };
  if (item.steps.length > 0 && item.steps.every((s) => s.reviewResult === 'Approved')) return { result: 'Approved', byMe: false, at: item.steps.at(-1).reviewedDateTime };
  if (item.stage?.step.assignedToMe) return null;
  return { result: item.status === 'Canceled' ? 'Canceled' : 'Pending', byMe: false, at: null };
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
      h('span', { class: `pill ${outcome.result.toLowerCase()}` }, outcome.byMe ? `You ${outcome.result.toLowerCase()}` : outcome.result),
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

  const userId = session.user.id;
  try {
    const items = await Promise.all(remembered(userId).map((ref) => loadApproval(ref).catch((error) => {
      if (error instanceof ApiFailure && (error.status === 404 || error.status === 403)) return null;
      throw error;
    })));
    if (!currentSession()) return heading;
    const decided = items.filter(Boolean)
      .map((item) => ({ item, outcome: outcomeFor(item, userId) }))
      .filter(({ outcome }) => outcome && (filter === 'all' || outcome.result === filter))
      .sort((a, b) => String(b.outcome.at ?? '').localeCompare(String(a.outcome.at ?? '')));
    if (decided.length === 0) {
      replaceChildren(body, emptyState(filter === 'all' ? 'Nothing decided yet.' : `No ${filter.toLowerCase()} approvals.`,
        'Approvals you have seen in this browser appear here once they are decided.'));
    } else {
      replaceChildren(body, h('div', { class: 'cards' }, decided.map(({ item, outcome }) => row(item, outcome))));
    }
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return heading; // api.js has sent the user back to sign-in.
    replaceChildren(body, errorBox(`Decided approvals could not be loaded: ${error.message}`, () => renderHistory(main, session, params)));
  }
  return heading;
}
