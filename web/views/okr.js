// The OKR page: objectives, their key results, the initiatives and tasks
// linked to them; each objective and key result with a progress bar, a chart
// of its progress over time and an at-risk mark. With a day picked, progress
// as of the end of that day (UTC), and at risk as the API judges it then.
import {get, workspacePath} from '../api.js';
import {progressChart} from '../chart.js';
import {debounce, entityHref, fill, h, percent} from '../dom.js';

// The progress on the last point of the series at or before `time`.
function progressAt(node, time) {
  if (!time) return node.progress;
  const limit = Date.parse(time);
  let value = null;
  for (const point of node.series || []) {
    if (Date.parse(point.time) <= limit) value = point.progress;
  }
  return value;
}

function bar(label, progress) {
  const value = progress === null || progress === undefined ? 0 : Math.max(0, Math.min(100, Number(progress) * 100));
  return h('span', {class: 'bar'},
    h('progress', {max: 100, value, 'aria-label': `${label} progress`}),
    h('span', {class: 'pct'}, percent(progress)));
}

function heading(level, workspace, node, asOf) {
  const progress = progressAt(node, asOf);
  return h('div', {class: 'okr-head', 'data-ref': node.ref, 'data-progress': progress ?? ''},
    h(level, {}, h('a', {href: entityHref(workspace, node.ref)}, node.title || node.ref)),
    h('p', {class: 'meta'},
      h('span', {class: 'ref'}, node.ref), ' · ',
      h('span', {class: `status status-${node.status}`}, asOf ? `${node.status} now` : node.status),
      node.owner ? ` · ${node.owner}` : null,
      node.at_risk ? h('strong', {class: 'risk'}, ' ⚠ at risk') : null),
    bar(node.title || node.ref, progress));
}

function tasks(workspace, list) {
  if (!list || list.length === 0) return null;
  return h('ul', {class: 'tasks'}, list.map((task) => h('li', {'data-ref': task.ref},
    h('a', {href: entityHref(workspace, task.ref)}, task.title || task.ref),
    ` · ${task.status || ''}`, task.assignee ? ` · ${task.assignee}` : '')));
}

function initiatives(workspace, list) {
  if (!list || list.length === 0) return null;
  return h('details', {class: 'linked'},
    h('summary', {}, `Linked work (${list.length} initiative${list.length === 1 ? '' : 's'})`),
    h('ul', {class: 'plain'}, list.map((item) => h('li', {'data-ref': item.ref},
      h('a', {href: entityHref(workspace, item.ref)}, item.title || item.ref),
      ` · ${item.status || ''}`, item.progress !== undefined && item.progress !== null ? ` · ${percent(item.progress)}` : '',
      tasks(workspace, item.tasks)))));
}

function keyResult(workspace, kr, asOf) {
  return h('li', {class: 'kr'},
    heading('h3', workspace, kr, asOf),
    progressChart(kr.title || kr.ref, kr.series, asOf),
    initiatives(workspace, kr.initiatives),
    tasks(workspace, kr.tasks));
}

function objective(workspace, obj, asOf) {
  return h('section', {class: `card objective${obj.at_risk ? ' at-risk' : ''}`},
    heading('h2', workspace, obj, asOf),
    progressChart(obj.title || obj.ref, obj.series, asOf),
    h('ul', {class: 'krs plain'}, (obj.key_results || []).map((kr) => keyResult(workspace, kr, asOf))));
}

function dayPicker(context, day) {
  const input = h('input', {type: 'date', id: 'as-of', name: 'as_of', value: day || ''});
  const form = h('form', {class: 'inline'},
    h('label', {for: 'as-of'}, 'Progress as of (end of day, UTC)'), input,
    h('button', {type: 'submit'}, 'Show'),
    day ? h('a', {href: `#/w/${encodeURIComponent(context.workspace)}/okr`}, 'Now') : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const base = `#/w/${encodeURIComponent(context.workspace)}/okr`;
    location.hash = input.value ? `${base}?as_of=${input.value}` : base;
  });
  return form;
}

export async function render(root, context) {
  const day = context.query.get('as_of') || '';
  const asOf = /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59Z` : '';
  const tree = await get(workspacePath(context.workspace, 'okr'), asOf ? {to: asOf} : {});
  const objectives = tree.objectives || [];
  fill(root,
    h('h1', {tabindex: '-1'}, asOf ? `OKR as of ${day}` : 'OKR'),
    dayPicker(context, day),
    objectives.length === 0 ? h('p', {}, 'No objectives in this workspace.') :
      objectives.map((obj) => objective(context.workspace, obj, asOf)));
  if (!asOf) {
    const again = debounce(() => { if (context.current()) render(root, context).catch(() => {}); });
    context.live((event) => {
      if (/^(goal|key_result|initiative|task)\./.test(event.type || '')) again();
    });
  }
}
