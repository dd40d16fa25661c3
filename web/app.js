// The page: hash routes (every view has a URL), the token prompt, the
// workspace picker, and one event stream per workspace that the current view
// listens to for live updates.
//
//   #/                                   the workspaces
//   #/w/WS/okr?as_of=DATE                OKR tree, progress now or as of a day
//   #/w/WS/entities?q=&kind=&status=     entities, filtered
//   #/w/WS/entity/KIND/ID?as_of=TIME     an entity: state and timeline
//   #/w/WS/explain/EVENT_ID              why an event happened
//   #/w/WS/why/KIND/ID                   why an entity exists (its creation)
//   #/w/WS/approvals?state=pending|all   the approval inbox
//   #/w/WS/rules                         rules and rule-set history
import {ApiError, follow, get, setToken, token} from './api.js';
import {fill, h} from './dom.js';
import * as approvals from './views/approvals.js';
import * as entities from './views/entities.js';
import * as entity from './views/entity.js';
import * as explain from './views/explain.js';
import * as okr from './views/okr.js';
import * as rules from './views/rules.js';

const VIEWS = {okr, entities, entity, explain, why: explain, approvals, rules};

const main = document.getElementById('main');
const status = document.getElementById('status');
let me = null;            // GET /me, once a token (or none, read-only) is accepted
let stream = null;        // {workspace, abort: AbortController}
let streamListener = null;  // the current view's handler of stream events
let renderCount = 0;      // a view still loading when the route changes is dropped

export function say(text) {
  status.textContent = text;
}

// '#/w/acme/entity/task/T-1?as_of=x' -> {parts: ['w','acme','entity','task','T-1'], query}
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {parts, query: new URLSearchParams(search || '')};
}

function showTokenPrompt(message) {
  document.getElementById('forget-token').hidden = !token();
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off',
    required: true, 'aria-describedby': 'token-help'});
  const form = h('form', {class: 'card token-form'},
    h('h1', {tabindex: '-1'}, 'Sign in'),
    message ? h('p', {class: 'error', role: 'alert'}, message) : null,
    h('label', {for: 'token'}, 'API token'),
    input,
    h('p', {id: 'token-help', class: 'hint'},
      'Kept in this tab only (sessionStorage). An admin creates one with ',
      h('code', {}, 'keel api token'), '.'),
    h('button', {type: 'submit'}, 'Use token'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    me = null;
    route();
  });
  fill(main, form);
  input.focus();
}

async function signIn() {
  if (me) return me;
  me = await get('me');
  const who = document.getElementById('who');
  who.textContent = `${me.person} (${me.role})`;
  document.getElementById('forget-token').hidden = !token();
  const listed = await get('workspaces');
  const select = document.getElementById('workspace-select');
  fill(select, listed.workspaces.map((w) => h('option', {value: w.id}, w.id)));
  me.listed = listed.workspaces.map((w) => w.id);
  document.getElementById('workspace-form').hidden = me.listed.length === 0;
  return me;
}

function setNavigation(workspace, view) {
  const nav = document.getElementById('views');
  nav.hidden = !workspace;
  for (const link of nav.querySelectorAll('a[data-view]')) {
    const name = link.dataset.view;
    link.hidden = name === 'rules' && me && me.role === 'guest';
    link.href = workspace ? `#/w/${encodeURIComponent(workspace)}/${name}` : '#/';
    if (name === view || (view === 'entity' && name === 'entities')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const select = document.getElementById('workspace-select');
  if (workspace) select.value = workspace;
}

// One stream per workspace, opened when a view of it is shown.
function ensureStream(workspace) {
  if (stream && stream.workspace === workspace) return;
  if (stream) stream.abort.abort();
  const abort = new AbortController();
  stream = {workspace, abort};
  const live = document.getElementById('live');
  follow(workspace, abort.signal,
    (event) => { if (streamListener) streamListener(event); },
    (up) => { if (stream && stream.abort === abort) live.hidden = !up; });
}

function workspaceList() {
  return h('section', {class: 'card'},
    h('h1', {tabindex: '-1'}, 'Workspaces'),
    me.listed.length === 0 ? h('p', {}, 'This token sees no workspace this serve holds.') :
      h('ul', {class: 'plain'}, me.listed.map((w) =>
        h('li', {}, h('a', {href: `#/w/${encodeURIComponent(w)}/okr`}, w)))));
}

export async function route() {
  const mine = ++renderCount;
  streamListener = null;
  say('');
  const {parts, query} = parseHash();
  try {
    await signIn();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showTokenPrompt(token() ? 'That token was not accepted.' : '');
    } else {
      fill(main, h('p', {class: 'error', role: 'alert'}, `The API cannot be reached: ${error.message}`));
    }
    return;
  }
  if (parts[0] !== 'w' || !parts[1]) {
    if (me.listed.length === 1 && parts.length === 0) {
      location.replace(`#/w/${encodeURIComponent(me.listed[0])}/okr`);
      return;
    }
    setNavigation(null, null);
    fill(main, workspaceList());
    focusHeading();
    return;
  }
  const workspace = parts[1];
  const viewName = parts[2] || 'okr';
  const view = VIEWS[viewName];
  setNavigation(workspace, viewName);
  if (!view) {
    fill(main, h('h1', {tabindex: '-1'}, 'Not found'), h('p', {}, `No view named “${viewName}”.`));
    focusHeading();
    return;
  }
  ensureStream(workspace);
  const context = {
    workspace, me, query, view: viewName, args: parts.slice(3),
    live: (handler) => { if (mine === renderCount) streamListener = handler; },
    current: () => mine === renderCount,
    say,
  };
  const content = h('div', {class: 'view', 'aria-busy': 'true'}, h('p', {}, 'Loading…'));
  fill(main, content);
  try {
    await view.render(content, context);
  } catch (error) {
    if (mine !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      me = null;
      showTokenPrompt('That token was not accepted.');
      return;
    }
    fill(content, h('h1', {tabindex: '-1'}, 'Cannot show this'),
      h('p', {class: 'error', role: 'alert'}, error.message));
  }
  content.removeAttribute('aria-busy');
  if (mine === renderCount) focusHeading();
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading && !main.contains(document.activeElement)) heading.focus({preventScroll: true});
}

document.getElementById('workspace-select').addEventListener('change', (event) => {
  location.hash = `#/w/${encodeURIComponent(event.target.value)}/okr`;
});
document.getElementById('workspace-form').addEventListener('submit', (event) => event.preventDefault());
document.getElementById('forget-token').addEventListener('click', () => {
  setToken('');
  me = null;
  if (stream) stream.abort.abort();
  stream = null;
  document.getElementById('who').textContent = '';
  showTokenPrompt('');
});
window.addEventListener('hashchange', route);
route();
