// The client SDK in a browser: bundled by esbuild from `stratus/client` for the browser (package.json
// "exports" and "browser" pick browser.ts and the plain-TypeScript SHA-256), run in Debian chromium
// against a real server on the same origin.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { admin } from '../support/device-client.js';
import { ROOT, startServer, type RunningServer } from '../support/server-process.js';

declare const StratusSDK: typeof import('../../src/client/browser.js');
declare global {
  interface Window {
    client: InstanceType<typeof StratusSDK.StratusClient>;
    received: string[];
  }
}

describe('client SDK in chromium', () => {
  let s: RunningServer;
  let browser: Browser;
  let page: Page;
  let bundle: string;

  before(async () => {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const result = await build({
      stdin: { contents: "export * from 'stratus/client';", resolveDir: ROOT },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'StratusSDK',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]?.text ?? '';
    s = await startServer();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.goto(`${s.url}/healthz`); // the device API's origin: no cross-origin request
    await page.addScriptTag({ content: bundle });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('the bundle holds no Node module', () => {
    assert.ok(bundle.length > 10_000);
    assert.doesNotMatch(bundle, /require\("node:|from "node:/);
  });

  it('publishes, receives config and subscribed messages, with signatures checked in the browser', async () => {
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/demo/devices/browser-1/approve');
    await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/demo/devices/browser-1/config', { set: { colour: 'blue', interval: '15' } });
    const first = await page.evaluate(async (secret) => {
      window.received = [];
      window.client = new StratusSDK.StratusClient({ server: location.origin, app: 'demo', secret, device: 'browser-1', storage: new StratusSDK.MemoryStorage() });
      window.client.subscribe('cmd', (_stream, data) => void window.received.push(data), { scope: 'home' });
      const receipt = await window.client.publish('temp', '21.5', { scope: 'home' });
      await window.client.update();
      return { seq: receipt.seq, colour: window.client.get('colour', 'none'), interval: window.client.get('interval', 60) };
    }, s.demoSecret);
    assert.deepEqual(first, { seq: 1, colour: 'blue', interval: 15 });
    const stored = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/demo/messages?scope=home&stream=temp');
    assert.deepEqual(stored.json.messages.map((m: { value: string; from: string }) => [m.value, m.from]), [['21.5', 'browser-1']]);

    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/demo/messages', { scope: 'home', stream: 'cmd', value: 'water' });
    const received = await page.evaluate(async () => {
      await window.client.update();
      return window.received;
    });
    assert.deepEqual(received, ['water']);
  });

  it('refuses an answer signed with another secret', async () => {
    const code = await page.evaluate(async () => {
      const wrong = new StratusSDK.StratusClient({ server: location.origin, app: 'demo', secret: 'not-the-secret', device: 'browser-2', storage: new StratusSDK.MemoryStorage() });
      return wrong.update().then(
        () => 'accepted',
        (e: { code?: string }) => e.code ?? 'no code',
      );
    });
    assert.equal(code, 'bad_signature');
  });
});
