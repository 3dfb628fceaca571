import { setTimeout as sleep } from 'node:timers/promises';
import { StratusError } from '../../protocol/index.js';
import { apiPath, type AdminClient } from '../admin-client.js';
import { readFeed } from './feed.js';
import { FleetModel } from './model.js';
import { TopScreen } from './screen.js';
import { SORT_KEYS, render, visiblePending, type SortKey, type ViewState } from './view.js';

export interface LiveOptions {
  intervalMs: number;
  sort: SortKey;
  filter: string;
}

/** Runs the full-screen view until `q` (or Ctrl-C); resolves when the screen is restored. */
export async function runLive(client: AdminClient, options: LiveOptions): Promise<void> {
  const model = new FleetModel();
  const ui: ViewState = { server: client.server, intervalMs: options.intervalMs, sort: options.sort, filter: options.filter, editingFilter: false, selected: 0, status: 'connecting', message: '' };
  const stop = new AbortController();
  let screen: TopScreen | null = null;
  const redraw = (): void => {
    if (!screen) return;
    const pending = visiblePending(model, ui.filter).length;
    ui.selected = Math.max(0, Math.min(ui.selected, pending - 1));
    screen.draw(render(model, ui, screen.width, screen.height));
  };

  const decide = async (verb: 'approve' | 'deny'): Promise<void> => {
    const target = visiblePending(model, ui.filter)[ui.selected];
    if (!target) {
      ui.message = 'no pending device selected';
      return redraw();
    }
    try {
      await client.request('POST', apiPath(['apps', target.app, 'devices', target.device, verb]));
      model.decided(target.app, target.device, verb === 'approve' ? 'approved' : 'denied', Date.now());
      ui.message = `${verb === 'approve' ? 'approved' : 'denied'} ${target.device} in ${target.app}`;
    } catch (error) {
      ui.message = `could not ${verb} ${target.device}: ${(error as Error).message}`;
    }
    redraw();
  };

  const onKey = (name: string): void => {
    if (ui.editingFilter) {
      if (name === 'ENTER') ui.editingFilter = false;
      else if (name === 'ESCAPE') Object.assign(ui, { editingFilter: false, filter: '' });
      else if (name === 'BACKSPACE') ui.filter = ui.filter.slice(0, -1);
      else if (name === 'CTRL_C') stop.abort();
      else if ([...name].length === 1) ui.filter += name;
      return redraw();
    }
    if (name === 'q' || name === 'CTRL_C') return stop.abort();
    if (name === 's') ui.sort = SORT_KEYS[(SORT_KEYS.indexOf(ui.sort) + 1) % SORT_KEYS.length] as SortKey;
    else if (name === '/') ui.editingFilter = true;
    else if (name === 'ESCAPE') ui.filter = '';
    else if (name === 'UP') ui.selected -= 1;
    else if (name === 'DOWN') ui.selected += 1;
    else if (name === 'a' || name === 'd') return void decide(name === 'a' ? 'approve' : 'deny');
    redraw();
  };

  // The first connection must work (a wrong token or URL is an error to report, before the screen
  // opens); later drops are retried.
  let snapshotCame: () => void = () => {};
  const firstSnapshot = new Promise<void>((done) => (snapshotCame = done));
  const feed = (): Promise<void> =>
    readFeed(client, options.intervalMs, stop.signal, (e) => {
      ui.status = 'live';
      model.apply(e, Date.now());
      snapshotCame();
      redraw();
    });
  const first = feed();
  await Promise.race([firstSnapshot, first]);
  screen = new TopScreen(onKey, redraw);
  redraw();
  try {
    let running = first;
    while (!stop.signal.aborted) {
      try {
        await running;
        if (!stop.signal.aborted) ui.status = 'the server closed the stream; reconnecting';
      } catch (error) {
        if (stop.signal.aborted) break;
        ui.status = `disconnected (${error instanceof StratusError ? error.code : (error as Error).message}); retrying`;
      }
      redraw();
      await sleep(2000, undefined, { signal: stop.signal }).catch(() => undefined);
      if (!stop.signal.aborted) running = feed();
    }
  } finally {
    screen.close();
  }
}
