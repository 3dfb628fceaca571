// Every client storage runs the one contract suite: memory, SQLite, and an asynchronous one (the SQLite
// file's schema version: test/e2e/sdk-storage.test.ts, since only sqlite-storage.ts may open SQLite here).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { MemoryStorage, type ClientStorage } from './outbox.js';
import { SqliteStorage } from './sqlite-storage.js';
import { DeferredStorage, clientStorageContract } from './storage-contract.suite.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-client-storage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const paths = new WeakMap<ClientStorage, string>();

clientStorageContract('MemoryStorage', { open: () => new MemoryStorage() });

clientStorageContract('SqliteStorage', {
  open: () => {
    const path = join(dir, `outbox-${files++}.db`);
    const storage = new SqliteStorage(path);
    paths.set(storage, path);
    return storage;
  },
  reopen: async (storage) => {
    const path = paths.get(storage) as string;
    await storage.close();
    const again = new SqliteStorage(path);
    paths.set(again, path);
    return again;
  },
});

clientStorageContract('an asynchronous storage (every call a promise)', { open: () => new DeferredStorage(new MemoryStorage()) });
