// The rules page: the active rule set (its hash and when it was activated),
// each rule with what it listens to, how often it fired and failed, its last
// firing (linked to why) and its source; then the rule sets activated over
// time.
import {get, workspacePath} from '../api.js';
import {explainHref, fill, h, table, when} from '../dom.js';

function lastFired(workspace, last) {
  if (!last) return 'never';
  return h('span', {}, h('time', {datetime: last.time}, when(last.time)), ' · ',
    h('a', {href: explainHref(workspace, last.event_id)}, `#${last.seq}`));
}

function ruleCard(workspace, rule) {
  return h('li', {class: 'card rule-card', id: `rule-${rule.id}`, 'data-rule': rule.id},
    h('h2', {}, h('code', {}, rule.id)),
    rule.description ? h('p', {}, rule.description) : null,
    h('dl', {class: 'facts'},
      h('dt', {}, 'On'), h('dd', {}, (rule.on || []).join(', ')),
      h('dt', {}, 'Fired'), h('dd', {class: 'fired'}, String(rule.fired)),
      h('dt', {}, 'Failed'), h('dd', {class: rule.failed > 0 ? 'failed bad' : 'failed'}, String(rule.failed)),
      h('dt', {}, 'Last fired'), h('dd', {}, lastFired(workspace, rule.last_fired))),
    rule.source ? h('details', {}, h('summary', {}, 'Source'), h('pre', {}, rule.source)) : null);
}

export async function render(root, context) {
  const [current, history] = await Promise.all([
    get(workspacePath(context.workspace, 'rules')),
    get(workspacePath(context.workspace, 'rulesets')),
  ]);
  const set = current.ruleset;
  const activations = [...(history.activations || [])].reverse();
  fill(root,
    h('h1', {tabindex: '-1'}, 'Rules'),
    set ? h('p', {class: 'meta'}, 'Active rule set ', h('code', {title: set.hash}, set.hash.slice(0, 12)),
      `, activated ${when(set.activated_time)} at #${set.activated_seq}.`) :
      h('p', {}, 'No rule set is active in this workspace.'),
    h('ul', {class: 'plain rules'}, (current.rules || []).map((rule) => ruleCard(context.workspace, rule))),
    h('section', {'aria-labelledby': 'history-heading'},
      h('h2', {id: 'history-heading'}, 'Rule sets over time'),
      activations.length === 0 ? h('p', {}, 'None activated.') :
        table(null, ['activated', 'seq', 'hash', 'rules'], activations.map((a) => [
          when(a.time), String(a.seq), h('code', {title: a.hash}, a.hash.slice(0, 12)),
          (a.rules || []).join(', ')]))));
  const wanted = context.query.get('rule');
  const card = wanted ? document.getElementById(`rule-${wanted}`) : null;
  if (card) {
    card.classList.add('wanted');
    card.scrollIntoView();
  }
}
