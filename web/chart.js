// Progress over time as a small SVG line chart (no library): 0..100 on the
// vertical axis, the series' times on the horizontal one, an optional marker
// at a chosen time. The points are also listed in a <title> and a table for
// screen readers and for anyone who wants the numbers.
import {h, percent, when} from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320, HEIGHT = 120, PAD_LEFT = 34, PAD_RIGHT = 8, PAD_TOP = 8, PAD_BOTTOM = 22;

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

// series: [{time, progress (0..1)}]; marker: an ISO time or ''.
export function progressChart(label, series, marker) {
  const points = (series || []).filter((p) => p.time);
  const times = points.map((p) => Date.parse(p.time));
  const first = Math.min(...times), last = Math.max(...times);
  const span = last > first ? last - first : 1;
  const x = (t) => PAD_LEFT + ((t - first) / span) * (WIDTH - PAD_LEFT - PAD_RIGHT);
  const y = (v) => PAD_TOP + (1 - Math.max(0, Math.min(100, v)) / 100) * (HEIGHT - PAD_TOP - PAD_BOTTOM);

  const chart = svg('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img'});
  chart.append(svg('title', {}, `${label}: progress over time`));
  for (const level of [0, 50, 100]) {
    chart.append(svg('line', {x1: PAD_LEFT, x2: WIDTH - PAD_RIGHT, y1: y(level), y2: y(level), class: 'grid'}));
    chart.append(svg('text', {x: PAD_LEFT - 4, y: y(level) + 4, class: 'axis', 'text-anchor': 'end'}, `${level}%`));
  }
  if (points.length > 0) {
    chart.append(svg('text', {x: PAD_LEFT, y: HEIGHT - 6, class: 'axis'}, points[0].time.slice(0, 10)));
    chart.append(svg('text', {x: WIDTH - PAD_RIGHT, y: HEIGHT - 6, class: 'axis', 'text-anchor': 'end'},
      points[points.length - 1].time.slice(0, 10)));
  }
  // A step line: progress holds until the next point; a point without
  // progress (before the first roll-up) breaks the line.
  let path = '';
  let previous = null;
  points.forEach((p, i) => {
    if (p.progress === null || p.progress === undefined) {
      previous = null;
      return;
    }
    const px = x(times[i]), py = y(Number(p.progress) * 100);
    path += previous === null ? `M${px},${py}` : `H${px}V${py}`;
    previous = py;
  });
  if (path) chart.append(svg('path', {d: path, class: 'line'}));
  if (marker && !Number.isNaN(Date.parse(marker))) {
    const t = Math.max(first, Math.min(last, Date.parse(marker)));
    chart.append(svg('line', {x1: x(t), x2: x(t), y1: PAD_TOP, y2: HEIGHT - PAD_BOTTOM, class: 'marker'}));
  }
  const numbers = h('details', {class: 'numbers'}, h('summary', {}, 'Numbers'),
    h('ul', {class: 'plain'}, points.map((p) => h('li', {}, `${when(p.time)}: ${percent(p.progress)}`))));
  return h('figure', {class: 'chart-box'}, chart, numbers);
}
