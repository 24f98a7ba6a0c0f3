/** The requestor's view: ask for an eligible role, group or access package, follow my requests, cancel one that waits. */
import { ApiFailure, accessPackageName, graph, groupName, list, optional, roleDefinitions } from './api.js';
import { FAMILIES, describeRequest, loadApproval } from './approvals.js';
import { announce, emptyState, errorBox, facts, formMessage, h, loading, replaceChildren, setMessage, uid } from './dom.js';
import { formatDate } from './format.js';

const DURATIONS = [['PT1H', '1 hour'], ['PT2H', '2 hours'], ['PT4H', '4 hours'], ['PT8H', '8 hours']];

function field(label, control, hint) {
  const hintId = hint ? uid('hint') : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), hint ? h('p', { id: hintId, class: 'hint' }, hint) : null, control);
}

const onlyFor = (userId) => (e) => e.principalId === userId;

/** What the caller may ask for: eligible roles, and eligible groups and access packages where this server offers them. */
async function requestables(userId) {
  const [roles, names, groups, packagePolicies] = await Promise.all([
    list('/beta/roleManagement/directory/roleEligibilityScheduleInstances'),
    roleDefinitions(),
    optional(() => list('/beta/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances')),
    optional(() => list('/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies')),
  ]);
  const roleName = (id) => names.get(id) ?? id;
  const options = [
    ...roles.filter(onlyFor(userId)).map((e) => ({
      family: 'directoryRole', key: `role|${e.roleDefinitionId}|${e.directoryScopeId}`,
      label: e.directoryScopeId === '/' ? roleName(e.roleDefinitionId) : `${roleName(e.roleDefinitionId)} (${e.directoryScopeId})`,
      body: { roleDefinitionId: e.roleDefinitionId, directoryScopeId: e.directoryScopeId ?? '/' },
    })),
    ...await Promise.all((groups ?? []).filter(onlyFor(userId)).map(async (e) => ({
      family: 'group', key: `group|${e.groupId}|${e.accessId}`, label: `${await groupName(e.groupId)} (${e.accessId})`,
      body: { groupId: e.groupId, accessId: e.accessId },
    }))),
    ...await Promise.all((packagePolicies ?? []).map(async (p) => ({
      family: 'accessPackage', key: `package|${p.id}`, label: await accessPackageName(p.accessPackageId), policy: p.displayName,
      body: { assignmentPolicyId: p.id, accessPackageId: p.accessPackageId },
    }))),
  ];
  // A package with several policies names the policy too.
  for (const o of options) if (o.policy && options.filter((x) => x.label === o.label).length > 1) o.label = `${o.label}: ${o.policy}`;
  const unique = new Map(options.map((o) => [o.key, o]));
  return [...unique.values()].sort((a, b) => a.family.localeCompare(b.family) || a.label.localeCompare(b.label));
}

/** Roles and groups are activations (`selfActivate`); an access package is a `UserAdd` assignment request. */
function requestBody(option, userId, { justification, duration, ticket }) {
  // How long an access package lasts is its policy's to say.
  if (option.family === 'accessPackage') return { requestType: 'UserAdd', accessPackageAssignment: { targetId: userId, ...option.body }, justification };
  const schedule = { startDateTime: null, expiration: { type: 'afterDuration', duration } };
  return {
    action: 'selfActivate', principalId: userId, ...option.body, justification, scheduleInfo: schedule,
    ticketInfo: ticket ? { ticketNumber: ticket, ticketSystem: null } : null,
  };
}

function requestForm(session, options, onSent) {
  if (options.length === 0) return emptyState('There is nothing you are eligible to activate.', 'An administrator makes you eligible; then you can ask for it here.');
  const groupsOf = Object.entries(FAMILIES).map(([family, where]) => [where.label, options.map((o, i) => [o, i]).filter(([o]) => o.family === family)]).filter(([, items]) => items.length);
  const target = h('select', { id: uid('target'), name: 'target' }, groupsOf.map(([label, items]) => h('optgroup', { label: `${label}s` },
    items.map(([o, i]) => h('option', { value: String(i) }, o.label)))));
  const duration = h('select', { id: uid('duration'), name: 'duration' }, DURATIONS.map(([value, label]) => h('option', { value }, label)));
  const justification = h('textarea', { id: uid('why'), name: 'justification', rows: 2, maxlength: 4000 });
  const ticket = h('input', { id: uid('ticket'), name: 'ticket', type: 'text', maxlength: 100, autocomplete: 'off' });
  const message = formMessage();
  const submit = h('button', { type: 'submit', class: 'approve' }, 'Send request');
  const form = h('form', { class: 'request-form', novalidate: true },
    field('What you need', target),
    field('Duration (roles and groups)', duration),
    field('Justification', justification, 'What you will do with it; your approvers read this.'),
    field('Ticket number (optional; roles and groups)', ticket),
    h('div', { class: 'actions' }, submit),
    message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = options[Number(target.value)];
    submit.disabled = true;
    setMessage(message, 'Sending…', 'pending');
    try {
      const created = await graph('POST', FAMILIES[chosen.family].requests, requestBody(chosen, session.user.id, {
        justification: justification.value.trim() || null, duration: duration.value, ticket: ticket.value.trim() || null,
      }));
      const { status } = await describeRequest(chosen.family, created);
      justification.value = '';
      ticket.value = '';
      setMessage(message, '', 'pending');
      onSent(`Request for ${chosen.label} sent: ${statusLabel(status)}.`);
    } catch (error) {
      setMessage(message, error instanceof ApiFailure ? error.message : 'The request could not be sent; check the connection and try again.', 'error');
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

const STATUS_LABELS = { PendingApproval: 'Pending approval', Provisioned: 'Granted · Provisioned', Delivered: 'Granted · Delivered' };
function statusLabel(status) {
  return STATUS_LABELS[status] ?? status ?? 'Unknown';
}

/** My requests in every family this server offers, newest first, with where pending ones stand. */
async function myRequests() {
  const lists = await Promise.all(Object.entries(FAMILIES).map(async ([family, where]) => {
    const read = () => list(`${where.requests}/filterByCurrentUser(on='${where.mine}')${where.expand ?? ''}`);
    const requests = family === 'directoryRole' ? await read() : (await optional(read)) ?? [];
    return requests.map((request) => ({ family, request }));
  }));
  const rows = await Promise.all(lists.flat().map(async ({ family, request }) => {
    const described = await describeRequest(family, request);
    const pending = described.status === 'PendingApproval';
    const approval = pending ? await optional(() => loadApproval({ family, approvalId: request.approvalId ?? request.id, request })) : null;
    return { family, id: request.id, ...described, stage: approval?.stage ?? null };
  }));
  return rows.sort((a, b) => String(b.created).localeCompare(String(a.created)));
}

function requestRow(row, onCancel) {
  const titleId = uid('request');
  const message = formMessage();
  const cancel = row.status === 'PendingApproval' ? h('button', { type: 'button', class: 'secondary', 'aria-describedby': titleId }, 'Cancel request') : null;
  cancel?.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await graph('POST', `${FAMILIES[row.family].requests}/${encodeURIComponent(row.id)}/cancel`);
      onCancel(`Request for ${row.what} canceled.`);
    } catch (error) {
      cancel.disabled = false;
      setMessage(message, error instanceof ApiFailure ? error.message : 'The request could not be canceled.', 'error');
    }
  });
  const { stage } = row;
  return h('article', { class: 'card compact', 'aria-labelledby': titleId, 'data-request-id': row.id },
    h('h3', { id: titleId }, row.what),
    h('p', { class: 'tags' },
      h('span', { class: `pill ${String(row.status).toLowerCase()}` }, statusLabel(row.status)),
      h('span', { class: 'tag' }, FAMILIES[row.family].label),
      stage ? h('span', { class: 'tag' }, `Stage ${stage.number} of ${stage.of}${stage.step.displayName ? `: ${stage.step.displayName}` : ''}`) : null),
    facts([['Requested', formatDate(row.created)], ['Schedule', row.schedule], ['Justification', row.justification], ['Ticket', row.ticket]]),
    cancel ? h('div', { class: 'actions' }, cancel) : null,
    message);
}

export async function renderRequests(main, session) {
  const heading = h('h1', { tabindex: -1 }, 'My requests');
  const formArea = h('div', {}, loading('Loading what you may activate…'));
  const listArea = h('div', {}, loading('Loading your requests…'));
  const notice = h('div', {});
  const formTitle = uid('ask');
  const listTitle = uid('mine');
  replaceChildren(main, heading, notice,
    h('section', { 'aria-labelledby': formTitle }, h('h2', { id: formTitle }, 'Request access'), formArea),
    h('section', { 'aria-labelledby': listTitle }, h('h2', { id: listTitle }, 'Requests'), listArea));

  const done = (message) => {
    announce(message);
    replaceChildren(notice, h('p', { class: 'notice success', role: 'status' }, message));
    void loadList();
  };

  async function loadList() {
    try {
      const rows = await myRequests();
      replaceChildren(listArea, rows.length === 0
        ? emptyState('You have no requests yet.', 'Ask for access above; its status shows here.')
        : h('div', { class: 'cards' }, rows.map((row) => requestRow(row, done))));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) return; // api.js has sent the user back to sign-in.
      replaceChildren(listArea, errorBox(`Your requests could not be loaded: ${error.message}`, loadList));
    }
  }

  async function loadForm() {
    try {
      replaceChildren(formArea, requestForm(session, await requestables(session.user.id), done));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) return; // api.js has sent the user back to sign-in.
      replaceChildren(formArea, errorBox(`What you may activate could not be loaded: ${error.message}`, loadForm));
    }
  }

  await Promise.all([loadForm(), loadList()]);
  return heading;
}
