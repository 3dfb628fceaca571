// The link class: from a command the operator configures (it prints unmetered, metered or offline),
// or from the interface of the default route in /proc/net/route matched against name patterns.
import { exec } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { LINK_CLASSES, type EdgeConfig, type LinkClass } from './config.js';

const glob = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** The default route's interface in the text of /proc/net/route, or null when there is none. */
export function defaultInterface(routeTable: string): string | null {
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && destination === '00000000' && (mask === undefined || mask === '00000000')) return iface;
  }
  return null;
}

export function classify(iface: string | null, link: EdgeConfig['link']): LinkClass {
  if (iface === null) return 'offline';
  if (link.metered.some((p) => glob(p).test(iface))) return 'metered';
  if (link.unmetered.some((p) => glob(p).test(iface))) return 'unmetered';
  return link.other;
}

/** Emits `change` (class, previous) when the class changes; `current` is the last one seen. */
export class LinkMonitor extends EventEmitter {
  current: LinkClass = 'offline';
  detail = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: EdgeConfig['link']) {
    super();
  }

  async check(): Promise<LinkClass> {
    let next: LinkClass;
    if (this.config.command) {
      const out = await new Promise<string>((resolve) =>
        exec(this.config.command as string, { timeout: 10_000 }, (error, stdout) => resolve(error ? `offline (command failed: ${error.message.trim()})` : stdout)),
      );
      const word = out.trim().split(/\s+/)[0] ?? '';
      next = (LINK_CLASSES as readonly string[]).includes(word) ? (word as LinkClass) : 'offline';
      this.detail = `command: ${out.trim().slice(0, 200)}`;
    } else {
      const iface = defaultInterface(await readFile('/proc/net/route', 'utf8').catch(() => ''));
      next = classify(iface, this.config);
      this.detail = `default route: ${iface ?? 'none'}`;
    }
    if (next !== this.current) {
      const previous = this.current;
      this.current = next;
      this.emit('change', next, previous);
    }
    return next;
  }

  start(): Promise<LinkClass> {
    const tick = (): void => {
      this.timer = setTimeout(() => void this.check().finally(() => this.timer && tick()), this.config.pollMs);
    };
    return this.check().finally(tick);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
