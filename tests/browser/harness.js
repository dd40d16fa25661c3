// What the browser cases share: keel runs a pack into a temporary database,
// `keel serve` (read-only over that database, or embedded with the API) on a
// free loopback port, tokens written hashed into a tokens file, headless
// Chromium from Debian with a fresh profile, every API answer recorded, and
// screenshots under build/browser-screenshots/.
import {spawn, spawnSync} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {chromium} from 'playwright-core';

export const CHROMIUM = process.env.KEEL_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

export class Harness {
  constructor({keel, root, screenshots}) {
    this.keel = keel;
    this.root = root;
    this.screenshots = screenshots;
    this.temp = mkdtempSync(join(tmpdir(), 'keel-browser-'));
    this.servers = [];
    this.contexts = [];
    // Script errors and console errors (a Content-Security-Policy refusal is
    // one); an answer's HTTP status (401, 404) is not: the cases expect some.
    this.pageErrors = [];
    mkdirSync(screenshots, {recursive: true});
  }

  pack(name) {
    return join(this.root, 'examples', name);
  }

  // Runs `keel ARGS`, returns stdout; throws with stderr when it fails.
  keelSync(args) {
    const result = spawnSync(this.keel, args, {cwd: this.root, encoding: 'utf8'});
    if (result.status !== 0) {
      throw new Error(`keel ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    return result.stdout;
  }

  // `keel run` of a pack (its run.args too) into a new database; returns its folder.
  runPack(name, {events} = {}) {
    const db = join(this.temp, `${name}-db`);
    const pack = this.pack(name);
    let extra = [];
    try {
      extra = readFileSync(join(pack, 'run.args'), 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      extra = [];
    }
    let eventsFile = join(pack, 'events.ndjson');
    if (events) {
      eventsFile = join(this.temp, `${name}-events.ndjson`);
      writeFileSync(eventsFile, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    this.keelSync(['run', '--rules', pack, '--events', eventsFile, '--db', db, ...extra]);
    return db;
  }

  // The entity's state as `keel state` prints it (--json), optionally as of a time.
  state(db, ref, asOf) {
    const args = ['state', ref, '--db', db, '--json'];
    if (asOf) args.push('--as-of', asOf);
    return JSON.parse(this.keelSync(args));
  }

  // A new random token and its tokens-file entry (only the SHA-256 is stored).
  token({name, person, role, workspaces}) {
    const token = `keel_${randomBytes(32).toString('base64url')}`;
    const sha256 = createHash('sha256').update(token).digest('hex');
    return {token, entry: {name, sha256, person, role, workspaces}};
  }

  writeTokens(entries) {
    const file = join(this.temp, `tokens-${randomBytes(4).toString('hex')}.yaml`);
    const yaml = ['tokens:', ...entries.flatMap((e) => [
      `  - name: ${e.name}`, `    sha256: ${e.sha256}`, `    person: "${e.person}"`, `    role: ${e.role}`,
      `    workspaces: [${e.workspaces.map((w) => `"${w}"`).join(', ')}]`])].join('\n') + '\n';
    writeFileSync(file, yaml, {mode: 0o600});
    return file;
  }

  // `keel serve --db DB` (read-only, API and page) on a free port.
  async serveReadOnly(db, {tokens} = {}) {
    const port = await freePort();
    const args = ['serve', '--db', db, '--api-port', String(port)];
    if (tokens) args.push('--tokens', tokens);
    return this.start(args, port);
  }

  // `keel serve --config FILE` in embedded mode with an api: section;
  // makeConfig({data, httpPort, apiPort}) writes the YAML.
  async serveEmbedded(makeConfig, env = {}) {
    const httpPort = await freePort();
    const apiPort = await freePort();
    const data = mkdtempSync(join(this.temp, 'serve-data-'));
    const file = join(this.temp, `serve-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, makeConfig({data, httpPort, apiPort}));
    const server = await this.start(['serve', '--config', file], apiPort, env);
    server.httpUrl = `http://127.0.0.1:${httpPort}/`;
    return server;
  }

  async start(args, port, env = {}) {
    const child = spawn(this.keel, args, {cwd: this.root, env: {...process.env, ...env},
      stdio: ['ignore', 'pipe', 'pipe']});
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const server = {child, port, url: `http://127.0.0.1:${port}/`, output: () => output};
    this.servers.push(server);
    const deadline = Date.now() + 20000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`keel ${args.join(' ')} exited ${child.exitCode}:\n${output}`);
      try {
        const answer = await fetch(`${server.url}index.html`);
        if (answer.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`keel ${args.join(' ')} did not serve the page in 20 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return server;
  }

  // A fresh browser profile; every answer from /api/ recorded as {url, status, body}.
  async browser({width = 1200, height = 900} = {}) {
    const profile = mkdtempSync(join(this.temp, 'profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: {width, height},
    });
    this.contexts.push(context);
    context.on('weberror', (error) => this.pageErrors.push(`script error: ${error.error().message}`));
    context.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        this.pageErrors.push(`console: ${message.text()}`);
      }
    });
    const recorded = [];
    const pending = [];
    const offsite = [];
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.hostname !== '127.0.0.1' && url.protocol !== 'data:') offsite.push(request.url());
    });
    context.on('response', (response) => {
      const url = response.url();
      if (!url.includes('/api/') || url.endsWith('/stream')) return;  // the stream never ends
      pending.push(response.text().then((body) => recorded.push({url, status: response.status(), body}),
        () => recorded.push({url, status: response.status(), body: ''})));
    });
    return {
      context,
      recorded: async () => {
        await Promise.all(pending);
        return recorded;
      },
      offsite,
    };
  }

  async screenshot(page, name) {
    await page.screenshot({path: join(this.screenshots, `${name}.png`), fullPage: true});
  }

  async close() {
    for (const context of this.contexts) await context.close().catch(() => {});
    for (const server of this.servers) {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await new Promise((resolve) => {
          const timer = setTimeout(() => { server.child.kill('SIGKILL'); resolve(); }, 5000);
          server.child.once('exit', () => { clearTimeout(timer); resolve(); });
        });
      }
    }
    rmSync(this.temp, {recursive: true, force: true});
  }
}

// A port free on loopback now (the server binds it right after).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The token typed into the page's prompt, the way a person signs in.
export async function signIn(page, token) {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', {name: 'Use token'}).click();
}
