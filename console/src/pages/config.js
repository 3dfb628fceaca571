import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useAction, usePolling, when } from './shared.js';

function Entries({ title, entries, onSet, onUnset }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const submit = async (event) => {
    event.preventDefault();
    if (await onSet(key.trim(), value)) {
      setKey('');
      setValue('');
    }
  };
  return html`<div>
    <h2>${title}</h2>
    <table><thead><tr><th>Key</th><th>Value</th><th></th></tr></thead><tbody>
      ${entries.length === 0 && html`<tr><td colspan="3" class="muted">none</td></tr>`}
      ${entries.map((e) => html`<tr><td><code>${e.key}</code></td><td><code>${e.value}</code></td>
        <td><button onClick=${() => { setKey(e.key); setValue(e.value); }} aria-label=${`Edit ${e.key}`}>Edit</button> <button class="danger" onClick=${() => onUnset(e.key)} aria-label=${`Unset ${e.key}`}>Unset</button></td></tr>`)}
    </tbody></table>
    <form class="row" onSubmit=${submit}>
      <label>Key<input value=${key} onInput=${(e) => setKey(e.target.value)} required maxlength="128" /></label>
      <label>Value<input value=${value} onInput=${(e) => setValue(e.target.value)} /></label>
      <button class="primary" type="submit">Set</button>
    </form>
  </div>`;
}

export function ConfigPage({ api, app }) {
  const [appWide, setAppWide] = useState([]);
  const [devices, setDevices] = useState([]);
  const [device, setDevice] = useState('');
  const [own, setOwn] = useState(null);
  const [newGuid, setNewGuid] = useState('');
  const [history, setHistory] = useState([]);
  const [run, error] = useAction();
  const base = `/v1/admin/apps/${enc(app)}`;
  const load = () =>
    run(async () => {
      const [cfg, list, hist] = await Promise.all([api.get(`${base}/config`), api.get(`${base}/devices?limit=500`), api.get(`${base}/config/history?limit=50`)]);
      setAppWide(cfg.entries);
      setDevices(list.devices);
      setHistory(hist.history);
      setOwn(device ? await api.get(`${base}/devices/${enc(device)}/config`) : null);
    });
  usePolling(load, 0, [app, device]);
  const change = (path) => ({
    set: (key, value) => run(async () => {
      await api.patch(path, { set: { [key]: value } });
      await load();
      return true;
    }),
    unset: (key) => run(async () => {
      await api.patch(path, { unset: [key] });
      await load();
    }),
  });
  const wide = change(`${base}/config`);
  const mine = device ? change(`${base}/devices/${enc(device)}/config`) : null;
  return html`
    ${error}
    <section class="grid2">
      <${Entries} title="App-wide" entries=${appWide} onSet=${wide.set} onUnset=${wide.unset} />
      <div>
        <label>Device overrides for<select value=${device} onChange=${(e) => setDevice(e.target.value)}>
          <option value="">choose a device</option>${devices.map((d) => html`<option value=${d.guid}>${d.guid}</option>`)}
          ${device && !devices.some((d) => d.guid === device) && html`<option value=${device}>${device} (not seen yet)</option>`}</select></label>
        <form class="row" onSubmit=${(e) => { e.preventDefault(); if (newGuid.trim()) setDevice(newGuid.trim()); setNewGuid(''); }}>
          <label>GUID not seen yet<input value=${newGuid} onInput=${(e) => setNewGuid(e.target.value)} maxlength="64" /></label>
          <button type="submit">Prepare</button>
        </form>
        ${own?.prepared && html`<p class="muted" role="note">${device} has not called yet: these overrides are prepared for it and apply once the app's policy admits it.</p>`}
        ${mine && own && html`<${Entries} title=${`Overrides of ${device}`} entries=${own.entries} onSet=${mine.set} onUnset=${mine.unset} />
          <h2>What ${device} receives</h2>
          <pre class="tail" aria-label="Merged config">${Object.entries(own.merged.values).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>
          <p class="muted">ETag ${own.merged.etag}</p>`}
      </div>
    </section>
    <section>
      <h2>History</h2>
      <table class="wide"><thead><tr><th>When</th><th>Who</th><th>Device</th><th>Key</th><th>Value</th></tr></thead><tbody>
        ${history.map((h) => html`<tr><td data-label="When">${when(h.time)}</td><td data-label="Who">${h.actor}</td><td data-label="Device">${h.device ?? 'app-wide'}</td><td data-label="Key"><code>${h.key}</code></td><td data-label="Value">${h.value === null ? html`<em>unset</em>` : html`<code>${h.value}</code>`}</td></tr>`)}
      </tbody></table>
    </section>`;
}
