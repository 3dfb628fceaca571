// The device service's gate, driven with no socket (PROTOCOL §2, §7, §8, §10): signature, time,
// replay, rate limit, admission by policy and the quotas on new devices, on a clock the test moves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StratusError, sha256Hex } from '../../protocol/index.js';
import { ServiceHarness } from '../../../test/support/device-service.js';
import type { AppRecord } from '../../store/types.js';
import type { Authentication } from './index.js';

const SECRET = 'gate-secret-of-thirty-two-characters';

/** The refusal's code, retry hint and whether its answer is signed, and with which secret. */
function refusal(auth: Authentication): { code: string; retryAfter: number | null; signedWith: string | null } {
  assert.equal(auth.ok, false, 'refused');
  if (auth.ok) throw new Error('unreachable');
  assert.ok(auth.error instanceof StratusError, `a StratusError, not ${String(auth.error)}`);
  return { code: auth.error.code, retryAfter: auth.error.retryAfterSeconds, signedWith: auth.signing?.secret ?? null };
}

describe('device service: authenticate', () => {
  let h: ServiceHarness;
  before(async () => {
    h = await ServiceHarness.start({ deviceRatePerSecond: 1, deviceRateBurst: 2 });
    await h.createApp('gate', SECRET);
  });
  after(() => h.close());

  it('admits a signed call and signs its answer with the secret that verified it', async () => {
    const auth = await h.devices.authenticate(h.call('gate', SECRET, 'sig-1', { body: '{"publish":[]}' }));
    assert.ok(auth.ok);
    assert.deepEqual([auth.context.device.guid, auth.context.device.status, auth.context.now], ['sig-1', 'approved', h.now()]);
    assert.deepEqual(auth.signing, { secret: SECRET, nonce: 'n1' });
  });

  it('takes the body digest instead of the body, as a transport that hashed it already gives it', async () => {
    const call = h.call('gate', SECRET, 'sig-1', { body: 'hashed elsewhere' });
    assert.ok((await h.devices.authenticate({ ...call, body: '', bodySha256: sha256Hex('hashed elsewhere') })).ok);
  });

  it('refuses a wrong secret, an altered body or target, and a missing part (bad_signature), signed with the newest secret', async () => {
    assert.deepEqual(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'sig-2', { secret: 'not-the-secret' }))), { code: 'bad_signature', retryAfter: null, signedWith: SECRET });
    const altered = h.call('gate', SECRET, 'sig-2', { body: 'original' });
    assert.equal(refusal(await h.devices.authenticate({ ...altered, body: 'altered' })).code, 'bad_signature');
    const moved = h.call('gate', SECRET, 'sig-2', { target: '/v1/sync' });
    assert.equal(refusal(await h.devices.authenticate({ ...moved, target: '/v1/publish' })).code, 'bad_signature');
    const unsigned = h.call('gate', SECRET, 'sig-2');
    assert.equal(refusal(await h.devices.authenticate({ ...unsigned, signature: undefined })).code, 'bad_signature');
    assert.equal(await h.store.getDevice((await h.store.getApp('gate'))!.id, 'sig-2'), null, 'a refused call registers no device');
  });

  it('leaves the answer to an unknown app unsigned', async () => {
    assert.deepEqual(refusal(await h.devices.authenticate(h.call('nope', SECRET, 'sig-3'))), { code: 'bad_signature', retryAfter: null, signedWith: null });
  });

  it('refuses malformed names (bad_request) before it looks at the signature', async () => {
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'bad guid'))).code, 'bad_request');
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'sig-4', { nonce: 'bad nonce' }))).code, 'bad_request');
  });

  it('refuses a time more than the window away (stale_time), checked before the signature', async () => {
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'time-1', { skew: 300 }))).ok);
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'time-1', { skew: -301 }))).code, 'stale_time');
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'time-1', { skew: 301, secret: 'wrong' }))).code, 'stale_time');
  });

  it('refuses a nonce used again by the same device (replayed), not by another device', async () => {
    const first = h.call('gate', SECRET, 'replay-1', { nonce: 'once' });
    assert.ok((await h.devices.authenticate(first)).ok);
    assert.equal(refusal(await h.devices.authenticate(first)).code, 'replayed');
    h.advance(299);
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'replay-1', { nonce: 'once' }))).code, 'replayed', 'a fresh time does not make an old nonce new');
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'replay-2', { nonce: 'once' }))).ok);
  });

  it('rate-limits each device (rate_limited with Retry-After) and lets it go on as tokens come back', async () => {
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'busy'))).ok);
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'busy'))).ok);
    assert.deepEqual(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'busy'))), { code: 'rate_limited', retryAfter: 1, signedWith: SECRET });
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'calm'))).ok, 'another device is not held back');
    h.advance(1);
    assert.ok((await h.devices.authenticate(h.call('gate', SECRET, 'busy'))).ok);
  });

  it('during a rotation, verifies with the old secret and signs its answer with it', async () => {
    const app = (await h.store.getApp('gate'))!;
    await h.store.rotateSecret(app.id, 'the-new-secret-of-thirty-two-chars', h.now(), h.now() + 60);
    await h.services.cluster.appChanged('gate');
    const old = await h.devices.authenticate(h.call('gate', SECRET, 'rot-1'));
    assert.ok(old.ok);
    assert.equal(old.signing.secret, SECRET);
    assert.deepEqual(refusal(await h.devices.authenticate(h.call('gate', 'x', 'rot-1'))).signedWith, 'the-new-secret-of-thirty-two-chars');
    h.advance(61);
    assert.equal(refusal(await h.devices.authenticate(h.call('gate', SECRET, 'rot-1'))).code, 'bad_signature', 'the old secret ran out');
  });
});

describe('device service: admission by policy (PROTOCOL §7) and presence (§8)', () => {
  let h: ServiceHarness;
  let open: AppRecord;
  let approval: AppRecord;
  let closed: AppRecord;
  before(async () => {
    h = await ServiceHarness.start({ newDevicesPerAddressPerMinute: 3, maxDevicesPerApp: 4, maxPendingDevicesPerApp: 2 });
    open = await h.createApp('open', 'open-secret', 'open');
    approval = await h.createApp('approval', 'approval-secret', 'approval');
    closed = await h.createApp('closed', 'closed-secret', 'closed');
  });
  after(() => h.close());

  it('open: admits a new GUID at once, and records it online in $stratus/presence', async () => {
    const ctx = await h.as('open', 'open-secret', 'o-1', { address: '10.1.0.1' });
    assert.deepEqual([ctx.device.status, ctx.device.lastAddress, ctx.grants.length], ['approved', '10.1.0.1', 2]);
    await h.services.presence.tick(h.now());
    assert.deepEqual((await h.systemEvents(open, 'presence')).map((e) => [e.device, e.online]), [['o-1', true]]);
    h.advance(601); // two refresh intervals of 300 s
    await h.services.presence.tick(h.now());
    assert.deepEqual((await h.systemEvents(open, 'presence')).map((e) => [e.device, e.online]), [['o-1', true], ['o-1', false]]);
  });

  it('approval: registers a new GUID pending (pending_approval), records the request once, admits it once approved', async () => {
    const call = () => h.devices.authenticate(h.call('approval', 'approval-secret', 'a-1', { address: '10.2.0.1' }));
    assert.equal(refusal(await call()).code, 'pending_approval');
    assert.equal(refusal(await call()).code, 'pending_approval');
    assert.deepEqual((await h.systemEvents(approval, 'access')).map((e) => [e.device, e.address]), [['a-1', '10.2.0.1']]);
    await h.updateDevice(approval, 'a-1', { status: 'approved' });
    assert.ok((await call()).ok);
    await h.updateDevice(approval, 'a-1', { status: 'denied' });
    assert.equal(refusal(await call()).code, 'denied');
  });

  it('closed: refuses a new GUID (denied) and records the rejection at most once a minute; a GUID approved ahead is admitted', async () => {
    const call = (guid: string) => h.devices.authenticate(h.call('closed', 'closed-secret', guid, { address: '10.3.0.1' }));
    assert.equal(refusal(await call('c-1')).code, 'denied');
    assert.equal(refusal(await call('c-1')).code, 'denied');
    assert.deepEqual((await h.systemEvents(closed, 'rejections')).map((e) => [e.device, e.code]), [['c-1', 'denied']]);
    assert.equal(await h.store.getDevice(closed.id, 'c-1'), null, 'a refused GUID is not registered');
    await h.updateDevice(closed, 'c-ahead', { status: 'approved' });
    assert.ok((await call('c-ahead')).ok);
  });

  it('counts new devices per address (rate_limited) and pending ones per app (quota_exceeded)', async () => {
    for (const guid of ['q-1', 'q-2', 'q-3']) assert.ok((await h.devices.authenticate(h.call('open', 'open-secret', guid, { address: '10.9.0.1' }))).ok || guid);
    const fourth = refusal(await h.devices.authenticate(h.call('open', 'open-secret', 'q-4', { address: '10.9.0.1' })));
    assert.equal(fourth.code, 'rate_limited');
    assert.ok((fourth.retryAfter ?? 0) > 0);
    assert.equal(refusal(await h.devices.authenticate(h.call('approval', 'approval-secret', 'p-2', { address: '10.9.1.1' }))).code, 'pending_approval');
    assert.equal(refusal(await h.devices.authenticate(h.call('approval', 'approval-secret', 'p-3', { address: '10.9.1.2' }))).code, 'quota_exceeded', 'a-1 and p-2 wait already');
  });

  it('refuses a new device past the app quota (quota_exceeded), and keeps admitting known ones', async () => {
    // open holds o-1, q-1, q-2, q-3: its quota of 4
    assert.equal(refusal(await h.devices.authenticate(h.call('open', 'open-secret', 'o-5', { address: '10.8.0.1' }))).code, 'quota_exceeded');
    assert.ok((await h.devices.authenticate(h.call('open', 'open-secret', 'o-1', { address: '10.8.0.1' }))).ok);
  });
});
