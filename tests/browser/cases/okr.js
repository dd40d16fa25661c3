// 02-okr-rollup: the OKR page shows the progress `keel state` gives, at the
// end of the run and as of 15 March (end of the day, UTC), in the middle of
// the quarter. The expected numbers are written from the pack's README.
import assert from 'node:assert/strict';

// Progress as the roll-ups write it (0..100), read from the README's story.
const AT_END = {'goal/O-1': 100, 'goal/O-2': 66.67, 'key_result/KR-1': 100, 'key_result/KR-2': 100,
  'key_result/KR-3': 66.67};
// 15 March: T-1 (10th) and T-3 (13th) are done; T-2 (18th) and the rest not yet.
const ON_15_MARCH = {'goal/O-1': 50, 'goal/O-2': 0, 'key_result/KR-1': 50, 'key_result/KR-2': 50,
  'key_result/KR-3': 0};
const AS_OF = '2026-03-15T23:59:59Z';

async function shownProgress(page) {
  const shown = {};
  for (const head of await page.locator('.okr-head[data-ref]').all()) {
    shown[await head.getAttribute('data-ref')] = await head.locator('.pct').innerText();
  }
  return shown;
}

function asText(progress) {
  return `${Math.round(progress * 100) / 100}%`;
}

export default async function okrPage(harness) {
  const db = harness.runPack('02-okr-rollup');
  // keel state agrees with the hand-written numbers (read before serving: one process opens the db at a time).
  for (const [ref, progress] of Object.entries(AT_END)) {
    assert.equal(Math.round(harness.state(db, ref).progress * 100) / 100, progress, `keel state ${ref}`);
  }
  for (const [ref, progress] of Object.entries(ON_15_MARCH)) {
    assert.equal(Math.round(harness.state(db, ref, AS_OF).progress * 100) / 100, progress,
      `keel state ${ref} --as-of ${AS_OF}`);
  }
  const server = await harness.serveReadOnly(db);
  const browser = await harness.browser();
  const page = await browser.context.newPage();
  const started = Date.now();
  await page.goto(`${server.url}#/w/acme/okr`);
  await page.getByRole('heading', {level: 1, name: 'OKR'}).waitFor();
  await page.locator('.okr-head[data-ref="key_result/KR-3"]').waitFor();
  console.log(`  okr: the OKR page of 02-okr-rollup drawn ${Date.now() - started} ms after navigation (cold browser)`);
  const expectedEnd = Object.fromEntries(Object.entries(AT_END).map(([ref, p]) => [ref, asText(p)]));
  assert.deepEqual(await shownProgress(page), expectedEnd, 'the OKR page at the end');
  // O-2 ended below target: at risk; each objective and key result has its chart.
  assert.equal(await page.locator('.objective').count(), 2);
  assert.equal(await page.locator('svg.chart').count(), 5, 'one chart per objective and key result');
  await harness.screenshot(page, 'okr');

  // As of 15 March, through the day picker.
  await page.getByLabel('Progress as of (end of day, UTC)').fill('2026-03-15');
  await page.getByRole('button', {name: 'Show'}).click();
  await page.getByRole('heading', {level: 1, name: 'OKR as of 2026-03-15'}).waitFor();
  assert.match(page.url(), /#\/w\/acme\/okr\?as_of=2026-03-15$/, 'the day is in the URL');
  await page.locator('.okr-head[data-ref="key_result/KR-3"]').waitFor();
  const expectedMiddle = Object.fromEntries(Object.entries(ON_15_MARCH).map(([ref, p]) => [ref, asText(p)]));
  assert.deepEqual(await shownProgress(page), expectedMiddle, 'the OKR page as of 15 March');
  await harness.screenshot(page, 'okr-as-of');

  // On a phone-sized screen, nothing is wider than the screen.
  const phone = await harness.browser({width: 390, height: 844});
  const small = await phone.context.newPage();
  await small.goto(`${server.url}#/w/acme/okr`);
  await small.locator('.okr-head[data-ref="key_result/KR-3"]').waitFor();
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 390px screen`);
  await harness.screenshot(small, 'okr-phone');
  assert.deepEqual(browser.offsite, [], 'no request leaves the machine');
}
