// Why did this happen: the causal chain of one event drawn as a tree, from
// the input event at its root, through the event asked about, down to all it
// led to. Each derived event shows its rule (file and lines, its source), the
// condition and the values the condition read, and what it produced.
import {get, workspacePath} from '../api.js';
import {entityHref, explainHref, fill, h, show, table, when} from '../dom.js';

// The rule's lines are shown open on the event asked about, folded elsewhere.
function ruleBlock(rule, asked) {
  if (!rule) return null;
  const values = rule.condition_values || {};
  const lines = Array.isArray(rule.lines) ? rule.lines : [];
  return h('div', {class: 'rule'},
    h('p', {}, 'Rule ', h('code', {class: 'rule-id'}, rule.id),
      rule.file ? ` in ${rule.file}` : '', lines.length === 2 ? `, lines ${lines[0]}–${lines[1]}` : ''),
    rule.condition ? h('p', {}, 'Condition: ', h('code', {class: 'condition'}, rule.condition)) : null,
    Object.keys(values).length > 0 ?
      table('Values the condition read', ['field', 'value'],
        Object.entries(values).map(([field, value]) => [h('code', {}, field), h('code', {}, value)])) : null,
    rule.source ? h('details', {open: asked}, h('summary', {}, 'The rule\'s lines'), h('pre', {}, rule.source)) : null);
}

function node(workspace, item, askedId, inner) {
  const event = item.event || {};
  const asked = event.id === askedId;
  const derived = Boolean(event.ruleid || item.rule);
  return h('li', {class: `node${asked ? ' asked' : ''}`, 'data-event': event.id},
    h('details', {open: true},
      h('summary', {},
        h('strong', {}, event.type), ' ', h('span', {}, event.subject || ''),
        ' · ', derived ? h('span', {class: 'by-rule'}, 'by rule ', h('code', {}, event.ruleid || item.rule.id)) :
          h('span', {class: 'input'}, 'input event'),
        asked ? h('span', {class: 'badge'}, ' the event asked about') : null),
      h('p', {class: 'meta'},
        h('code', {class: 'event-id'}, event.id), ` · #${event.seq} · `,
        h('time', {datetime: event.time}, when(event.time)), ` · ${event.actor || ''}`,
        event.subject ? h('span', {}, ' · ', h('a', {href: entityHref(workspace, event.subject)}, 'open entity')) : null,
        asked ? null : h('span', {}, ' · ', h('a', {href: explainHref(workspace, event.id)}, 'explain this'))),
      ruleBlock(item.rule, asked),
      item.note ? h('p', {class: 'note'}, item.note) : null,
      event.data ? h('details', {}, h('summary', {}, derived ? 'What it produced' : 'Its data'),
        h('pre', {}, JSON.stringify(event.data, null, 2))) : null,
      inner));
}

// The explained event with everything below it.
function subtree(workspace, item, askedId) {
  const children = item.children || [];
  return node(workspace, item, askedId,
    children.length > 0 ? h('ul', {class: 'tree'}, children.map((child) => subtree(workspace, child, askedId))) : null);
}

export async function render(root, context) {
  let path;
  if (context.view === 'why') {
    const [kind, id] = context.args;
    path = workspacePath(context.workspace, 'entities', kind, id, 'explain');
  } else {
    path = workspacePath(context.workspace, 'events', context.args[0], 'explain');
  }
  const explanation = await get(path);
  const asked = explanation.explained || {};
  const askedId = asked.event ? asked.event.id : '';
  // The ancestors form a chain, root first: nest them, the event asked about innermost.
  let tree = h('ul', {class: 'tree'}, subtree(context.workspace, asked, askedId));
  for (const ancestor of [...(explanation.ancestors || [])].reverse()) {
    tree = h('ul', {class: 'tree'}, node(context.workspace, ancestor, askedId, tree));
  }
  const event = asked.event || {};
  fill(root,
    h('h1', {tabindex: '-1'}, `Why: ${event.type || ''} ${event.subject || ''}`),
    h('p', {}, (explanation.ancestors || []).length > 0 ?
      `Caused by the input event ${show(explanation.ancestors[0].event.id)}; below it, every event it led to.` :
      'An input event; below it, every event it led to.'),
    h('div', {class: 'explain'}, tree));
}
