// The web console in Debian's chromium, driven by playwright-core, against a real server process.
// scripts/ensure-chromium.sh installs chromium when it is missing (no browser download).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TestDevice, admin } from '../support/device-client.js';
import { ROOT, startServer, type RunningServer } from '../support/server-process.js';

// Screenshots go to a temporary folder, so a test run leaves the tree as it was; `npm run screenshots`
// sets STRATUS_SCREENSHOTS=docs/console to refresh the README's pictures.
const KEEP_SHOTS = process.env.STRATUS_SCREENSHOTS;
const SHOTS = KEEP_SHOTS ? resolve(ROOT, KEEP_SHOTS) : mkdtempSync(join(tmpdir(), 'stratus-console-'));

describe('web console in chromium', () => {
  let s: RunningServer;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  let secret: string;

  before(async () => {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
    s = await startServer();
    const created = await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps', { name: 'greenhouse', policy: 'approval' });
    secret = created.json.secret;
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'], // playwright gives each launch a fresh, empty profile,
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
    if (!KEEP_SHOTS) rmSync(SHOTS, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const pickApp = async (name: string) => page.getByLabel('App', { exact: true }).selectOption(name);

  it('refuses a wrong token in plain words, then signs in', async () => {
    assert.ok(s.output().includes(`web console:    ${s.url}/\n`), 'serve prints where the console is');
    await page.goto(s.url + '/');
    await page.getByLabel('Admin token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That admin token was refused').waitFor();
    await shot('sign-in');
    await page.getByLabel('Admin token').fill(s.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Waiting for approval/ }).waitFor();
  });

  it('approves a pending device, which shows online once it syncs', async () => {
    const device = new TestDevice(s.url, 'greenhouse', secret, 'sensor-7');
    assert.equal((await device.send('GET', '/v1/config')).json.error.code, 'pending_approval');
    await pickApp('greenhouse');
    await page.getByRole('button', { name: 'Approve sensor-7' }).click();
    const row = page.locator('tr[data-guid="sensor-7"]');
    await row.getByText('approved').waitFor();
    assert.equal((await device.sync({ subscribe: [] })).status, 200);
    await row.getByText('online', { exact: true }).waitFor();
    await shot('devices');
  });

  it('a config value set in the console reaches the device on its next update', async () => {
    const device = new TestDevice(s.url, 'greenhouse', secret, 'sensor-7');
    const before = await device.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(before.json.interval, undefined);
    await page.getByRole('button', { name: 'Config' }).click();
    const appWide = page.locator('section.grid2 > div').first();
    await appWide.getByLabel('Key').fill('interval');
    await appWide.getByLabel('Value').fill('30');
    await appWide.getByRole('button', { name: 'Set', exact: true }).click();
    await appWide.getByText('interval', { exact: true }).waitFor();
    const next = await device.sync({ config: before.headers.get('etag') });
    assert.equal(next.json.config.values.interval, '30');
    await page.getByLabel('Device overrides for').selectOption('sensor-7');
    await page.getByLabel('Merged config').getByText('interval: 30').waitFor();
    await shot('config');
  });

  it('shows a refused value in plain words and changes nothing', async () => {
    const appWide = page.locator('section.grid2 > div').first();
    await appWide.getByLabel('Key').fill('stratus.refresh');
    await appWide.getByLabel('Value').fill('soon');
    await appWide.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByRole('alert').getByText('whole seconds between updates').waitFor();
    assert.deepEqual((await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/greenhouse/config')).json.entries.map((e: { key: string }) => e.key), ['interval']);
  });

  it('prepares overrides for a GUID that has not called yet; approved, it receives them', async () => {
    await page.getByLabel('GUID not seen yet').fill('sensor-9');
    await page.getByRole('button', { name: 'Prepare' }).click();
    await page.getByRole('note').getByText('sensor-9 has not called yet').waitFor();
    const overrides = page.locator('section.grid2 > div').nth(1);
    await overrides.getByLabel('Key').fill('interval');
    await overrides.getByLabel('Value').fill('60');
    await overrides.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByLabel('Merged config').getByText('interval: 60').waitFor();
    const device = new TestDevice(s.url, 'greenhouse', secret, 'sensor-9');
    assert.equal((await device.send('GET', '/v1/config')).json.error.code, 'pending_approval');
    assert.equal((await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/greenhouse/devices/sensor-9/approve')).status, 200);
    assert.equal((await device.send('GET', '/v1/config', { headers: { accept: 'application/json' } })).json.interval, '60');
  });

  it('a published message appears in the live tail', async () => {
    const device = new TestDevice(s.url, 'greenhouse', secret, 'sensor-7');
    await device.sync({ publish: [{ scope: 'home', stream: 'temp', value: '21.5' }] });
    await page.getByRole('button', { name: 'Streams' }).click();
    await page.getByRole('button', { name: 'Tail home/temp' }).click();
    await page.getByRole('log').getByText('21.5').waitFor();
    await device.sync({ publish: [{ scope: 'home', stream: 'temp', value: '22.75' }] });
    await page.getByRole('log').getByText('22.75').waitFor();
    await shot('streams');
  });

  it('creates an app and shows its secret once; works at phone width', async () => {
    await page.getByRole('button', { name: 'Apps' }).click();
    await page.getByLabel('Name').fill('orchard');
    await page.getByRole('button', { name: 'Create' }).click();
    const notice = page.getByRole('status');
    await notice.getByText('It is shown only now').waitFor();
    const shown = /is (\S+)\. It is shown only now/.exec((await notice.textContent()) ?? '')?.[1] as string;
    const proof = new TestDevice(s.url, 'orchard', shown, 'tree-1');
    assert.equal((await proof.send('GET', '/v1/config')).json.error.code, 'pending_approval'); // the secret is real
    await shot('apps');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('button', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: /Devices of/ }).waitFor();
    await shot('devices-phone');
  });

  it('signs out on a 401 and says why', async () => {
    await page.setViewportSize({ width: 1200, height: 800 });
    await page.evaluate(() => sessionStorage.setItem('stratus.adminToken', 'revoked'));
    await page.getByRole('button', { name: 'Streams' }).click();
    await page.getByRole('alert').getByText('Sign in again').waitFor();
    await page.getByLabel('Admin token').waitFor();
  });

  it('runs under its Content-Security-Policy without a single violation', async () => {
    const answer = await fetch(`${s.url}/`);
    assert.match(answer.headers.get('content-security-policy') ?? '', /script-src 'self'.*frame-ancestors 'none'/);
    assert.deepEqual(cspViolations, []);
  });
});
