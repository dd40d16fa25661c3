// The approval inbox: approvals waiting for this person (admins: all), each
// with what it is about, and Grant / Reject with a reason. Updates live: an
// approval decided elsewhere, or the request moving on, shows without a
// reload.
import {ApiError, get, post, workspacePath} from '../api.js';
import {debounce, entityHref, fill, h, when} from '../dom.js';

// The approval's target entity (its title and status), or null when it
// cannot be read (e.g. a guest's hidden entity).
async function targetOf(workspace, target) {
  const [kind, id] = String(target || '').split('/');
  if (!kind || !id) return null;
  try {
    return await get(workspacePath(workspace, 'entities', kind, id));
  } catch {
    return null;
  }
}

function decisionForm(context, approval, refresh) {
  const slug = approval.ref.replace(/[^A-Za-z0-9_-]/g, '-');
  const reason = h('textarea', {id: `reason-${slug}`, name: 'reason', rows: 2,
    'aria-describedby': `reason-help-${slug}`});
  const message = h('p', {class: 'error', role: 'alert', hidden: true});
  const grant = h('button', {type: 'button', class: 'grant', value: 'grant'}, 'Grant');
  const reject = h('button', {type: 'button', class: 'reject', value: 'reject'}, 'Reject');
  const id = approval.ref.split('/').slice(1).join('/');
  async function decide(action) {
    if (action === 'reject' && !reason.value.trim()) {
      message.textContent = 'Say why you reject it: the reason goes to the requester and the audit.';
      message.hidden = false;
      reason.focus();
      return;
    }
    grant.disabled = reject.disabled = true;
    try {
      const answer = await post(workspacePath(context.workspace, 'approvals', id, action),
        {reason: reason.value.trim()});
      message.hidden = true;
      context.say(answer.changed ? `${approval.ref} ${action === 'grant' ? 'granted' : 'rejected'}.` :
        `${approval.ref} was already ${answer.approval.status}.`);
      refresh();
    } catch (error) {
      message.textContent = error instanceof ApiError && error.code === 'read_only' ?
        'This serve is read-only: decisions cannot be recorded here.' : error.message;
      message.hidden = false;
      grant.disabled = reject.disabled = false;
    }
  }
  grant.addEventListener('click', () => decide('grant'));
  reject.addEventListener('click', () => decide('reject'));
  return h('form', {class: 'decide', onsubmit: (event) => event.preventDefault()},
    h('label', {for: `reason-${slug}`}, 'Reason'),
    reason,
    h('p', {id: `reason-help-${slug}`, class: 'hint'}, 'Optional to grant, required to reject.'),
    h('div', {class: 'buttons'}, grant, reject),
    message);
}

function card(context, approval, target, refresh) {
  const decided = approval.status !== 'pending';
  const targetState = target && target.state ? target.state : null;
  return h('li', {class: `card approval status-${approval.status}`, 'data-ref': approval.ref},
    h('h2', {}, targetState && targetState.title ? targetState.title : approval.target),
    h('p', {class: 'meta'},
      h('a', {href: entityHref(context.workspace, approval.target)}, approval.target),
      targetState && targetState.status ? h('span', {}, ' · now ',
        h('span', {class: 'target-status'}, targetState.status)) : null,
      ` · requested ${when(approval.requested_time)}`),
    approval.reason ? h('p', {class: 'reason'}, approval.reason) : null,
    h('p', {}, 'Approvers: ', (approval.approvers || []).join(', '),
      ' · ', h('strong', {class: 'approval-status'}, approval.status),
      decided && approval.decided_by ? ` by ${approval.decided_by}, ${when(approval.decided_time)}` : null),
    decided ? null : decisionForm(context, approval, refresh));
}

export async function render(root, context) {
  const state = context.query.get('state') === 'all' ? 'all' : 'pending';
  const answer = await get(workspacePath(context.workspace, 'approvals'), {state});
  const list = answer.approvals || [];
  const targets = await Promise.all(list.map((a) => targetOf(context.workspace, a.target)));
  const refresh = debounce(() => { if (context.current()) render(root, context).catch(() => {}); }, 150);
  const base = `#/w/${encodeURIComponent(context.workspace)}/approvals`;
  fill(root,
    h('h1', {tabindex: '-1'}, 'Approvals'),
    h('p', {class: 'tabs'},
      h('a', {href: base, 'aria-current': state === 'pending' ? 'page' : null}, 'Waiting'), ' · ',
      h('a', {href: `${base}?state=all`, 'aria-current': state === 'all' ? 'page' : null}, 'All')),
    list.length === 0 ? h('p', {class: 'empty'},
      state === 'pending' ? 'Nothing waits for you.' : 'No approvals.') :
      h('ul', {class: 'plain approvals'}, list.map((a, i) => card(context, a, targets[i], refresh))));
  const watched = new Set(list.flatMap((a) => [a.ref, a.target]));
  context.live((event) => {
    if ((event.type || '').startsWith('approval.') || watched.has(event.subject)) refresh();
  });
}
