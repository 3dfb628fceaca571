// A crash after an acknowledgement loses nothing: kill -9 the server under publish load, restart it on
// the same data, retry everything, and every acknowledged message is there exactly once, at its seq.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

const CLIENTS = 4;
const BATCHES_PER_CLIENT = 400;
const BATCH = 10;

function batch(client: number, b: number) {
  return Array.from({ length: BATCH }, (_, j) => {
    const id = `c${client}-b${b}-m${j}`;
    return { id, scope: 'crash', stream: 'load', value: id };
  });
}

/** The acknowledged seqs by message id, and a promise resolved once `count` are acknowledged (or the load ended short of it). */
class Acknowledged extends Map<string, number> {
  private readonly marks: { count: number; reached: () => void }[] = [];

  /** Resolves once `count` messages are acknowledged, or when `ended` settles first. */
  async reach(count: number, ended: Promise<unknown>): Promise<void> {
    if (this.size >= count) return;
    await Promise.race([new Promise<void>((reached) => this.marks.push({ count, reached })), ended]);
  }

  acknowledge(id: string, seq: number): void {
    this.set(id, seq);
    for (const mark of this.marks) if (this.size >= mark.count) mark.reached();
  }
}

/** Publishes every batch once; records the seqs acknowledged. Stops at the first failure. */
async function publishUntilFailure(device: TestDevice, client: number, acked: Acknowledged): Promise<void> {
  for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
    let r;
    try {
      r = await device.sync({ publish: batch(client, b) });
    } catch {
      return; // the server died: this batch was not acknowledged
    }
    if (r.status !== 200) return;
    for (const a of r.json.accepted) acked.acknowledge(a.id, a.seq);
  }
}

async function readAll(server: RunningServer): Promise<{ seq: number; value: string }[]> {
  const all: { seq: number; value: string }[] = [];
  for (;;) {
    const page = await admin(server.url, server.adminToken, 'GET', `/v1/admin/apps/demo/messages?scope=crash&stream=load&after=${all.at(-1)?.seq ?? 0}&limit=1000`);
    all.push(...page.json.messages);
    if (page.json.messages.length < 1000) return all;
  }
}

describe('crash safety of acknowledged publishes', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  for (const round of [1, 2]) {
    it(`round ${round}: kill -9 mid-load, restart, retry: acknowledged messages stored exactly once`, async () => {
      const first = await startServer();
      dirs.push(first.dataDir);
      const acked = new Acknowledged();
      const devices = Array.from({ length: CLIENTS }, (_, c) => new TestDevice(first.url, 'demo', first.demoSecret, `crash-${c}`));
      const load = Promise.all(devices.map((d, c) => publishUntilFailure(d, c, acked)));
      // kill once some batches were acknowledged, at a point that differs per round
      await acked.reach(200 * round, load);
      await first.kill();
      await load;
      const ackedBeforeCrash = new Map(acked);
      assert.ok(ackedBeforeCrash.size < CLIENTS * BATCHES_PER_CLIENT * BATCH, 'the kill came before the load finished');

      const second = await startServer({ dataDir: first.dataDir });
      try {
        second.adminToken = first.adminToken;
        const retry = Array.from({ length: CLIENTS }, (_, c) => new TestDevice(second.url, 'demo', first.demoSecret, `crash-${c}`));
        const seqAfterRetry = new Acknowledged();
        await Promise.all(retry.map((d, c) => publishUntilFailure(d, c, seqAfterRetry)));

        for (const [id, seq] of ackedBeforeCrash) assert.equal(seqAfterRetry.get(id), seq, `${id} keeps its acknowledged seq`);
        const stored = await readAll(second);
        const values = stored.map((m) => m.value);
        assert.equal(new Set(values).size, values.length, 'no message is stored twice');
        assert.equal(values.length, CLIENTS * BATCHES_PER_CLIENT * BATCH);
        const storedIds = new Set(values);
        for (const id of ackedBeforeCrash.keys()) assert.ok(storedIds.has(id), `${id} survived`);
        const seqs = stored.map((m) => m.seq);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'seqs increase');
      } finally {
        await second.stop();
      }
    });
  }
});

describe('graceful shutdown', () => {
  it('SIGTERM finishes the requests in flight, then exits 0 with their messages stored', async () => {
    const server = await startServer();
    try {
      const acked = new Acknowledged();
      const devices = Array.from({ length: CLIENTS }, (_, c) => new TestDevice(server.url, 'demo', server.demoSecret, `term-${c}`));
      const load = Promise.all(devices.map((d, c) => publishUntilFailure(d, c, acked)));
      await acked.reach(100, load);
      const exited = server.stop(); // SIGTERM while the clients keep publishing
      await load;
      assert.equal(await exited, 0);
      const restarted = await startServer({ dataDir: server.dataDir });
      try {
        restarted.adminToken = server.adminToken;
        const stored = new Set((await readAll(restarted)).map((m) => m.value));
        for (const id of acked.keys()) assert.ok(stored.has(id), `${id} acknowledged before shutdown is stored`);
      } finally {
        await restarted.stop();
      }
    } finally {
      removeDir(server.dataDir);
    }
  });
});
