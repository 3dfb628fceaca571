import { createHash } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

/**
 * A stable GUID for this machine: the first non-internal MAC address, without colons (as ESP boards
 * print theirs); when there is none, a hash of the host name. Override with the `device` option.
 */
export function machineGuid(): string {
  const macs = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.internal && i.mac !== '00:00:00:00:00:00')
    .map((i) => (i as { mac: string }).mac)
    .sort();
  if (macs[0] !== undefined) return macs[0].replaceAll(':', '');
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 12);
}
