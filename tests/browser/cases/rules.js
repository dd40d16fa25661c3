// 01-initiative-kickoff: the rules page lists the active rule set's rules
// with their firings (kickoff-initiative fired on ko-002), links the last firing to its explanation, and shows the
// rule set's activation; the entities page finds a task by a word of its title.
import assert from 'node:assert/strict';

export default async function rulesPage(harness) {
  const db = harness.runPack('01-initiative-kickoff');
  const server = await harness.serveReadOnly(db);
  const browser = await harness.browser();
  const page = await browser.context.newPage();
  await page.goto(`${server.url}#/w/acme/rules`);
  const card = page.locator('[data-rule="kickoff-initiative"]');
  await card.waitFor();
  assert.ok(Number(await card.locator('dd.fired').innerText()) >= 1, 'kickoff-initiative fired (on ko-002)');
  assert.equal(await card.locator('dd.failed').innerText(), '0');
  assert.match(await page.locator('main').innerText(), /Rule sets over time[\s\S]*kickoff-initiative/);
  await harness.screenshot(page, 'rules');
  await card.getByRole('link', {name: /^#\d+$/}).click();
  await page.locator('.node.asked').waitFor();
  assert.match(await page.locator('.node.asked summary').first().innerText(), /by rule kickoff-initiative/);

  await page.getByRole('link', {name: 'Entities'}).click();
  await page.getByLabel('Title or id contains').fill('brief');
  await page.getByRole('button', {name: 'Filter'}).click();
  await page.getByRole('link', {name: 'task/t-c7bdaca5875ebc5e'}).waitFor();
  await harness.screenshot(page, 'entities');
  assert.deepEqual(browser.offsite, [], 'no request leaves the machine');
}
