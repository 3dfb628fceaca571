// A device process for the SDK crash test: publishes a burst into its durable outbox, printing
// `ok <value>` each time publish() returned, with an update() now and then. The test kills it with
// SIGKILL at random points. `--flush` only runs update() until the outbox is empty.
import { Stratus } from '../../src/client/index.js';

const [server, secret, dataDir, prefix, countText, mode] = process.argv.slice(2) as string[];
// `node --test dist/` loads every file, this one too: without arguments it is not a test, and does nothing.
if (server === undefined || dataDir === undefined) process.exit(0);
const client = new Stratus({ server: server as string, app: 'demo', secret: secret as string, device: 'crashy', dataDir: dataDir as string });

if (mode === '--flush') {
  for (let round = 0; round < 20 && client.outboxSize > 0; round++) await client.update();
  process.stdout.write(`flushed, outbox ${client.outboxSize}\n`);
} else {
  for (let i = 0; i < Number(countText); i++) {
    const value = `${prefix}-${i}`;
    await client.publish('burst', value, { scope: 'crash', queue: true });
    process.stdout.write(`ok ${value}\n`);
    if (i % 250 === 249) await client.update();
  }
  process.stdout.write('done\n');
}
await client.close();
