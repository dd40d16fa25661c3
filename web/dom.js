// Small DOM helpers: elements are built with text nodes only (never innerHTML),
// so nothing an event carries can become markup.

// h('a', {href: '#/x', class: 'y'}, 'text', child...) -> the element.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// Replaces everything inside `el` with `children`.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A table from a header row and rows of cells, inside a box that scrolls
// sideways on a narrow screen rather than the page.
export function table(caption, headers, rows) {
  return h('div', {class: 'scroll'},
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', {scope: 'col'}, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))));
}

// "2026-03-10T09:00:00Z" -> "2026-03-10 09:00 UTC"; anything else as given.
export function when(time) {
  if (!time) return '';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z$/.exec(time);
  return match ? `${match[1]} ${match[2]} UTC` : String(time);
}

// A value of an entity's state or of a change, as short text.
export function show(value) {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

// Progress as the API gives it (0..1), as a percentage with at most two
// decimals, like the roll-ups write it: 0.3333 -> "33.33%".
export function percent(progress) {
  if (progress === null || progress === undefined) return 'no progress yet';
  return `${Math.round(Number(progress) * 10000) / 100}%`;
}

// The link target of an entity page, "kind/id" -> "#/w/WS/entity/kind/id".
export function entityHref(workspace, ref) {
  return `#/w/${encodeURIComponent(workspace)}/entity/${ref.split('/').map(encodeURIComponent).join('/')}`;
}

export function explainHref(workspace, eventId) {
  return `#/w/${encodeURIComponent(workspace)}/explain/${encodeURIComponent(eventId)}`;
}

// fn, called once `ms` after the last of a burst of calls.
export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
