// 06-client-visibility: a guest (guest:fred) never sees an internal task, in
// the page or in any answer the page receives. T-2 is internal, T-5 has no
// visibility (internal once the pack's rule says so); T-1 is client, T-3 and
// T-4 guest. (The project has no visibility either, so the guest does not see
// it, but its ref is in T-3's parent: it is not a task.)
import assert from 'node:assert/strict';

import {signIn} from '../harness.js';

// What must never reach the guest: the internal tasks' ids and titles.
const HIDDEN = ['task/T-2', 'T-2"', 'Negotiate the analytics', 'task/T-5', 'T-5"', 'Rate-limit the login API'];
const VISIBLE = ['task/T-1', 'task/T-3', 'task/T-4'];

function assertClean(where, text) {
  for (const secret of HIDDEN) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
}

export default async function guestView(harness) {
  const db = harness.runPack('06-client-visibility');
  const fred = harness.token({name: 'fred', person: 'guest:fred', role: 'guest', workspaces: ['studio']});
  const amir = harness.token({name: 'amir', person: 'user:amir', role: 'member', workspaces: ['studio']});
  const server = await harness.serveReadOnly(db, {tokens: harness.writeTokens([fred.entry, amir.entry])});
  const browser = await harness.browser();
  const page = await browser.context.newPage();
  const seen = [];
  const look = async (name) => {
    await page.locator('main .view:not([aria-busy])').waitFor();
    const text = await page.locator('body').innerText();
    seen.push(name);
    assertClean(`the ${name} page`, text);
    return text;
  };

  await page.goto(server.url);
  await signIn(page, fred.token);
  await page.waitForURL(/#\/w\/studio\/okr$/);
  await look('OKR');
  assert.ok(await page.getByRole('link', {name: 'Rules'}).isHidden(), 'no rules page for guests');

  await page.getByRole('link', {name: 'Entities'}).click();
  await page.locator('main table').waitFor();
  const list = await look('entities');
  for (const ref of VISIBLE) assert.ok(list.includes(ref), `the guest sees ${ref}`);
  await harness.screenshot(page, 'guest-entities');

  await page.getByRole('link', {name: 'task/T-3'}).click();
  await page.getByRole('heading', {level: 1, name: 'App store screenshots'}).waitFor();
  await look('entity');
  await page.getByRole('link', {name: 'Why does it exist?'}).click();
  await page.locator('.node.asked').waitFor();
  await look('explain');
  await page.getByRole('link', {name: 'Approvals'}).click();
  await page.getByRole('heading', {level: 1, name: 'Approvals'}).waitFor();
  await look('approvals');

  // Typing an internal task's URL: not found, the same answer as a task that does not exist.
  await page.goto(`${server.url}#/w/studio/entity/task/T-2`);
  await page.getByRole('heading', {level: 1, name: 'Cannot show this'}).waitFor();
  assertClean('the T-2 page', (await page.locator('body').innerText()).replace('task/T-2', ''));
  await harness.screenshot(page, 'guest-hidden');

  // Every answer the page received, the probe for T-2 compared with one for a task that never existed.
  const recorded = await browser.recorded();
  assert.ok(recorded.length >= 8, `only ${recorded.length} answers recorded`);
  for (const {url, status, body} of recorded) {
    if (url.includes('/entities/task/T-2')) {
      assert.equal(status, 404);
      const missing = await fetch(url.replace('/task/T-2', '/task/T-99'), {headers: {Authorization: `Bearer ${fred.token}`}});
      assert.equal(missing.status, 404);
      assert.equal(body.replaceAll('T-2', 'T-?'), (await missing.text()).replaceAll('T-99', 'T-?'), 'hidden and missing answered alike');
      continue;
    }
    assertClean(`the answer to ${url}`, body);
  }
  // The event stream from its start, read for a moment: only visible entities.
  const abort = new AbortController();
  const stream = await fetch(`${server.url}api/v1/workspaces/studio/stream`,
    {headers: {Authorization: `Bearer ${fred.token}`, 'Last-Event-ID': '0'}, signal: abort.signal});
  assert.equal(stream.status, 200);
  let text = '';
  const reader = stream.body.getReader();
  const stop = setTimeout(() => abort.abort(), 1500);
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // aborted: enough read
  }
  clearTimeout(stop);
  assert.match(text, /task\/T-3/, 'the stream carries visible events');
  assertClean('the event stream', text);

  // A member of the team sees T-2 (the test would pass vacuously if nobody could).
  const member = await fetch(`${server.url}api/v1/workspaces/studio/entities/task/T-2`,
    {headers: {Authorization: `Bearer ${amir.token}`}});
  assert.equal(member.status, 200);
  assert.deepEqual(browser.offsite, [], 'no request leaves the machine');
}
