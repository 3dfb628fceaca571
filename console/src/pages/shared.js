import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

export const when = (unix) => (unix ? new Date(unix * 1000).toLocaleString() : '—');

/** Runs `load` now and every `everyMs` (0: once), while the component is shown. */
export function usePolling(load, everyMs, deps) {
  useEffect(() => {
    let stopped = false;
    const tick = () => !stopped && load();
    tick();
    const timer = everyMs > 0 ? setInterval(tick, everyMs) : null;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, deps);
}

/** An error line and a function that runs an action, showing what went wrong. */
export function useAction() {
  const [error, setError] = useState(null);
  const run = async (action) => {
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e.message);
      return undefined;
    }
  };
  const view = error ? html`<p class="error" role="alert">${error}</p>` : null;
  return [run, view];
}
