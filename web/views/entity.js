// An entity: its state (now, or as of a time picked), and the timeline of
// what changed, by whom or by which rule, newest first, with a link to why
// each derived event happened. Updates live when a new event is about it.
import {get, workspacePath} from '../api.js';
import {debounce, explainHref, fill, h, show, table, when} from '../dom.js';

// "2026-03-05T12:00" (datetime-local, read as UTC) <-> "2026-03-05T12:00:00Z"
function toIso(local) {
  return local ? `${local.length === 16 ? `${local}:00` : local}Z` : '';
}
function toLocal(iso) {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?/.exec(iso || '');
  return match ? match[1] + (match[2] && match[2] !== ':00' ? match[2] : '') : '';
}

function stateTable(state) {
  const rows = Object.keys(state || {}).sort().map((field) => [h('code', {}, field), show(state[field])]);
  return table(null, ['field', 'value'], rows);
}

function changeList(changes) {
  const fields = Object.keys(changes || {});
  if (fields.length === 0) return null;
  return h('ul', {class: 'changes'}, fields.map((field) => {
    const change = changes[field] || {};
    return h('li', {},
      h('code', {}, field), ': ',
      'from' in change ? h('span', {class: 'from'}, show(change.from)) : null,
      'from' in change ? ' → ' : null,
      h('span', {class: 'to'}, show(change.to)));
  }));
}

function timelineItem(workspace, item, asOfSeq) {
  const later = asOfSeq !== null && item.seq > asOfSeq;
  const by = item.ruleid ?
    h('span', {}, 'by rule ', h('a', {href: `#/w/${encodeURIComponent(workspace)}/rules?rule=${encodeURIComponent(item.ruleid)}`},
      h('code', {}, item.ruleid))) :
    h('span', {}, `by ${item.actor || 'unknown'}`);
  return h('li', {class: later ? 'later' : null, 'data-seq': item.seq},
    h('p', {class: 'meta'}, h('time', {datetime: item.time}, when(item.time)), ` · #${item.seq}`,
      later ? ' · after the time picked' : null),
    h('p', {}, h('strong', {}, item.type), ' ', by, ' · ',
      h('a', {href: explainHref(workspace, item.id), 'aria-label': `Why: ${item.type} ${item.id}`}, 'why?')),
    changeList(item.changes));
}

function asOfPicker(context, ref, asOf) {
  const input = h('input', {type: 'datetime-local', id: 'as-of', name: 'as_of', step: 1, value: toLocal(asOf)});
  const base = `#/w/${encodeURIComponent(context.workspace)}/entity/${ref.split('/').map(encodeURIComponent).join('/')}`;
  const form = h('form', {class: 'inline'},
    h('label', {for: 'as-of'}, 'State as of (UTC)'), input,
    h('button', {type: 'submit'}, 'Show'),
    asOf ? h('a', {href: base}, 'Now') : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = input.value ? `${base}?as_of=${encodeURIComponent(toIso(input.value))}` : base;
  });
  return form;
}

export async function render(root, context) {
  const [kind, id] = context.args;
  const ref = `${kind}/${id}`;
  const asOf = context.query.get('as_of') || '';
  const path = workspacePath(context.workspace, 'entities', kind, id);
  const [entity, history] = await Promise.all([
    get(path, asOf ? {as_of: asOf} : {}),
    get(`${path}/history`, {limit: 100}),
  ]);
  const events = [...history.events];
  const timeline = h('ol', {class: 'timeline'}, events.map((item) => timelineItem(context.workspace, item, asOf ? entity.seq : null)));
  let next = history.next;
  const more = h('button', {type: 'button', hidden: next === null || next === undefined}, 'Older events');
  more.addEventListener('click', async () => {
    const page = await get(`${path}/history`, {limit: 100, before: next});
    timeline.append(...page.events.map((item) => timelineItem(context.workspace, item, asOf ? entity.seq : null)));
    next = page.next;
    more.hidden = next === null || next === undefined;
  });
  const title = entity.state && entity.state.title ? entity.state.title : ref;
  fill(root,
    h('h1', {tabindex: '-1'}, title),
    h('p', {class: 'meta'}, h('code', {}, ref), ` · version ${entity.version}`,
      entity.state && entity.state.status ? h('span', {}, ' · ', h('span', {class: 'status', id: 'entity-status'}, entity.state.status)) : null,
      ' · ', h('a', {href: `#/w/${encodeURIComponent(context.workspace)}/why/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`}, 'Why does it exist?')),
    asOfPicker(context, ref, asOf),
    h('section', {'aria-labelledby': 'state-heading'},
      h('h2', {id: 'state-heading'}, asOf ? `State as of ${when(asOf)}` : 'State now'),
      stateTable(entity.state)),
    h('section', {'aria-labelledby': 'timeline-heading'},
      h('h2', {id: 'timeline-heading'}, 'Timeline'), timeline, more));
  if (!asOf) {
    const again = debounce(() => { if (context.current()) render(root, context).catch(() => {}); });
    context.live((event) => { if (event.subject === ref) again(); });
  }
}
