// The Node entry of the client SDK (`stratus/client`): StratusClient with a SQLite outbox in
// `dataDir` and the machine's MAC address as the default GUID. Nothing here imports the server.
import { join } from 'node:path';
import { fetchTrusting, type CaCertificates } from './ca-fetch.js';
import { machineGuid } from './device-id.js';
import type { ClientStorage } from './outbox.js';
import { SqliteStorage } from './sqlite-storage.js';
import { StratusClient, type StratusOptions } from './stratus.js';

export interface NodeStratusOptions extends Omit<StratusOptions, 'device' | 'storage'> {
  /** Default: the machine's first MAC address (see machineGuid). */
  device?: string;
  /** Default: SQLite at `<dataDir>/<app>-<device>.db`. */
  storage?: ClientStorage;
  /** Where the outbox and cached config live (default `./stratus-data`). */
  dataDir?: string;
  /**
   * PEM of the CA that signed the server's certificate (a private CA), trusted instead of the
   * system's list. HTTPS certificates are always verified; this says against what.
   */
  ca?: CaCertificates;
}

export class Stratus extends StratusClient {
  constructor(options: NodeStratusOptions) {
    if (options.ca !== undefined && options.fetch !== undefined) throw new TypeError('give `ca` or `fetch`, not both: a custom fetch does its own TLS');
    const device = options.device ?? machineGuid();
    const storage = options.storage ?? new SqliteStorage(join(options.dataDir ?? 'stratus-data', `${options.app}-${device}.db`));
    const fetch = options.ca !== undefined ? fetchTrusting(options.ca) : options.fetch;
    super({ ...options, device, storage, ...(fetch ? { fetch } : {}) });
  }
}

export * from './browser.js';
export { machineGuid } from './device-id.js';
export { SqliteStorage } from './sqlite-storage.js';
export { fetchTrusting, type CaCertificates } from './ca-fetch.js';
