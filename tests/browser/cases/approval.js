// 04-sensitive-data-guardrails: priya grants R-2's approval in the inbox; the
// request moves on (awaiting_approval -> ready, by approved-request-ready) and
// a second tab on R-2 shows it live, from the event stream, without a reload.
// keel serve runs embedded (rules and writer) with an api: section; the two
// requests come in over its events endpoint like any tool's.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {signIn} from '../harness.js';

const APPROVAL = 'approval/a-35f66492b002dec9';  // derived by the pack's rule, in its README

export default async function approvalInbox(harness) {
  const pack = harness.pack('04-sensitive-data-guardrails');
  const priya = harness.token({name: 'priya-browser', person: 'user:priya', role: 'member', workspaces: ['acme']});
  const tokens = harness.writeTokens([priya.entry]);
  const eventsToken = `events-${Date.now()}`;
  const server = await harness.serveEmbedded(({data, httpPort, apiPort}) => [
    `data: ${data}`,
    `rules: ${pack}`,
    'http_address: 127.0.0.1',
    `http_port: ${httpPort}`,
    'events:',
    '  token_env: KEEL_BROWSER_EVENTS_TOKEN',
    'api:',
    '  address: 127.0.0.1',
    `  port: ${apiPort}`,
    `  tokens_file: ${tokens}`,
  ].join('\n') + '\n', {KEEL_BROWSER_EVENTS_TOKEN: eventsToken});

  // The form tool files R-1 and R-2 (the pack's first two events).
  const lines = readFileSync(join(pack, 'events.ndjson'), 'utf8').trim().split('\n').slice(0, 2);
  for (const line of lines) {
    const answer = await fetch(`${server.httpUrl}events`, {method: 'POST', body: line,
      headers: {Authorization: `Bearer ${eventsToken}`, 'Content-Type': 'application/cloudevents+json'}});
    assert.ok(answer.ok, `POST /events answered ${answer.status}: ${await answer.text()}`);
  }
  const api = (path) => fetch(`${server.url}api/v1/workspaces/acme/${path}`,
    {headers: {Authorization: `Bearer ${priya.token}`}}).then((r) => r.json());
  assert.equal((await api('entities/task/R-2')).state.status, 'awaiting_approval');

  const browser = await harness.browser();
  // Tab 1: R-2's page, left alone.
  const watcher = await browser.context.newPage();
  await watcher.goto(`${server.url}#/w/acme/entity/task/R-2`);
  await signIn(watcher, priya.token);
  await watcher.locator('#entity-status').waitFor();
  assert.equal(await watcher.locator('#entity-status').innerText(), 'awaiting_approval');
  await watcher.locator('#live:not([hidden])').waitFor();
  await watcher.evaluate(() => { window.keelBrowserMarker = 'not reloaded'; });

  // Tab 2: the inbox.
  const inbox = await browser.context.newPage();
  await inbox.goto(`${server.url}#/w/acme/approvals`);
  await signIn(inbox, priya.token);
  const card = inbox.locator(`[data-ref="${APPROVAL}"]`);
  await card.waitFor();
  assert.equal(await card.locator('.target-status').innerText(), 'awaiting_approval');
  assert.match(await card.innerText(), /Health-insurance quote form collects name, email, date_of_birth, health/);
  await harness.screenshot(inbox, 'approvals');
  // Keyboard only: type the reason, Tab to Grant, Enter.
  await card.getByLabel('Reason').fill('Consent text and retention period are fine.');
  await card.getByLabel('Reason').press('Tab');
  assert.equal(await inbox.evaluate(() => document.activeElement.textContent), 'Grant');
  await inbox.keyboard.press('Enter');
  await inbox.getByText('Nothing waits for you.').waitFor();
  assert.match(await inbox.locator('#status').innerText(), new RegExp(`${APPROVAL} granted`));

  // Tab 1 follows, live.
  await watcher.locator('#entity-status', {hasText: /^ready$/}).waitFor({timeout: 10000});
  assert.equal(await watcher.evaluate(() => window.keelBrowserMarker), 'not reloaded');
  assert.match(await watcher.locator('.timeline').innerText(), /task\.status_changed by rule approved-request-ready/);
  await harness.screenshot(watcher, 'entity-after-grant');

  // The log: the request moved on, and the grant is priya's event.
  const r2 = await api('entities/task/R-2');
  assert.equal(r2.state.status, 'ready');
  assert.equal(r2.state.privacy_approval, 'granted');
  const history = await api(`entities/${APPROVAL}/history`);
  const granted = history.events.find((e) => e.type === 'approval.granted');
  assert.ok(granted, 'approval.granted in the approval\'s history');
  assert.equal(granted.actor, 'user:priya');

  await inbox.getByRole('link', {name: 'All'}).click();
  await inbox.locator(`[data-ref="${APPROVAL}"] .approval-status`, {hasText: 'granted'}).waitFor();
  assert.match(await inbox.locator(`[data-ref="${APPROVAL}"]`).innerText(), /granted by user:priya/);
  await harness.screenshot(inbox, 'approvals-decided');
  assert.deepEqual(browser.offsite, [], 'no request leaves the machine');
}
