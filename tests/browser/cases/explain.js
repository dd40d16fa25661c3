// 01-initiative-kickoff: the explain view of a task the kickoff spawned names
// its rule (kickoff-initiative), the values its condition read, and the input
// event that caused it (ko-002, the initiative moving to in_progress). The
// task's id is the one in the pack's expected/derived.ndjson.
import assert from 'node:assert/strict';

const TASK = 'task/t-c7bdaca5875ebc5e';  // "Write the brief for Website relaunch"

export default async function explainView(harness) {
  const db = harness.runPack('01-initiative-kickoff');
  const server = await harness.serveReadOnly(db);
  const browser = await harness.browser();
  const page = await browser.context.newPage();

  // From the entity page's link, the way a person gets there.
  await page.goto(`${server.url}#/w/acme/entity/${TASK}`);
  await page.getByRole('heading', {level: 1, name: 'Write the brief for Website relaunch'}).waitFor();
  await harness.screenshot(page, 'entity');
  await page.getByRole('link', {name: 'Why does it exist?'}).click();
  await page.waitForURL(/#\/w\/acme\/why\/task\/t-c7bdaca5875ebc5e$/);
  await page.locator('.node.asked').waitFor();

  const asked = page.locator('.node.asked');
  const summary = await asked.locator('summary').first().innerText();
  assert.match(summary, /task\.created/);
  assert.match(summary, /by rule kickoff-initiative/);
  const rule = await asked.locator('.rule').first().innerText();
  assert.match(rule, /Rule kickoff-initiative in rules\/kickoff\.yaml/);
  assert.match(rule, /event\.data\.to\s+"in_progress"/, 'the value the condition read');
  assert.match(rule, /event\.data\.from\s+"planned"/);
  // The input event at the root of the tree.
  const root = page.locator('.explain > .tree > .node').first();
  assert.equal(await root.getAttribute('data-event'), 'ko-002');
  assert.match(await root.locator('summary').first().innerText(), /initiative\.status_changed initiative\/IN-42 · input event/);
  assert.match(await page.locator('main').innerText(), /Caused by the input event ko-002/);
  // What the task led to: the link to its initiative (rule link-task-to-initiative).
  assert.match(await asked.innerText(), /task\.linked[\s\S]*by rule link-task-to-initiative/);
  await harness.screenshot(page, 'explain');

  assert.deepEqual(browser.offsite, [], 'no request leaves the machine');
}
