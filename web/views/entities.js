// Entities of the workspace, filtered by kind, status, assignee, label and
// free text, a page at a time; each links to its own page.
import {get, workspacePath} from '../api.js';
import {entityHref, fill, h, show, table} from '../dom.js';

const FILTERS = [
  ['q', 'Title or id contains'],
  ['kind', 'Kind'],
  ['status', 'Status'],
  ['assignee', 'Assignee'],
  ['label', 'Label'],
];

function rows(workspace, list) {
  return list.map((e) => [
    h('a', {href: entityHref(workspace, e.ref)}, e.ref),
    show(e.state && e.state.title),
    show(e.state && e.state.status),
    show(e.state && e.state.assignee),
  ]);
}

export async function render(root, context) {
  const query = {};
  for (const [name] of FILTERS) query[name] = context.query.get(name) || '';
  const first = await get(workspacePath(context.workspace, 'entities'), {...query, limit: 50});
  const form = h('form', {class: 'filters'},
    FILTERS.map(([name, label]) => h('p', {},
      h('label', {for: `filter-${name}`}, label),
      h('input', {id: `filter-${name}`, name, value: query[name], type: name === 'q' ? 'search' : 'text'}))),
    h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name] of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    const search = params.toString();
    location.hash = `#/w/${encodeURIComponent(context.workspace)}/entities${search ? `?${search}` : ''}`;
  });
  const list = [...first.entities];
  const body = h('div', {}, table(null, ['entity', 'title', 'status', 'assignee'], rows(context.workspace, list)));
  let next = first.next;
  const more = h('button', {type: 'button', hidden: !next}, 'More');
  more.addEventListener('click', async () => {
    const page = await get(workspacePath(context.workspace, 'entities'), {...query, limit: 50, after: next});
    list.push(...page.entities);
    fill(body, table(null, ['entity', 'title', 'status', 'assignee'], rows(context.workspace, list)));
    next = page.next;
    more.hidden = !next;
  });
  fill(root, h('h1', {tabindex: '-1'}, 'Entities'), form,
    list.length === 0 ? h('p', {}, 'No entity matches.') : body, more);
}
