import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { formatGrant, parseGrant } from '../../../src/protocol/grants.ts';
import { enc } from '../api.js';
import { useAction, usePolling, when } from './shared.js';

function GrantEditor({ api, app, device, onDone }) {
  const [text, setText] = useState((device.grants ?? device.effectiveGrants).map(formatGrant).join('\n'));
  const [run, error] = useAction();
  const save = (inherit) =>
    run(async () => {
      const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
      const grants = lines.map((l) => parseGrant(l));
      const bad = lines.find((_, i) => grants[i] === null);
      if (bad !== undefined) throw new Error(`"${bad}" is not a grant: write publish:scope/stream or subscribe:scope/stream (* matches anything).`);
      await api.put(`/v1/admin/apps/${enc(app)}/devices/${enc(device.guid)}/grants`, { grants: inherit ? null : grants });
      onDone();
    });
  return html`<div>
    ${error}
    <label>Grants of ${device.guid}, one a line<textarea rows="4" cols="34" value=${text} onInput=${(e) => setText(e.target.value)}></textarea></label>
    <div class="row"><button class="primary" onClick=${() => save(false)}>Save grants</button><button onClick=${() => save(true)}>Use the app's defaults</button><button onClick=${onDone}>Cancel</button></div>
  </div>`;
}

export function DevicesPage({ api, app }) {
  const [pending, setPending] = useState([]);
  const [devices, setDevices] = useState([]);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [online, setOnline] = useState('');
  const [editing, setEditing] = useState(null);
  const [run, error] = useAction();
  const load = () =>
    run(async () => {
      const q = new URLSearchParams({ limit: '500', ...(query ? { q: query } : {}), ...(status ? { status } : {}), ...(online ? { online } : {}) });
      const [requests, list] = await Promise.all([api.get(`/v1/admin/apps/${enc(app)}/access-requests`), api.get(`/v1/admin/apps/${enc(app)}/devices?${q}`)]);
      setPending(requests.pending);
      setDevices(list.devices);
    });
  usePolling(load, 2000, [app, query, status, online]);
  const decide = (guid, verb) => run(async () => {
    await api.post(`/v1/admin/apps/${enc(app)}/devices/${enc(guid)}/${verb}`);
    await load();
  });
  return html`
    ${error}
    <section aria-labelledby="pending-title">
      <h2 id="pending-title">Waiting for approval (${pending.length})</h2>
      ${pending.length === 0 ? html`<p class="muted">No device is waiting.</p>` : html`
      <table class="wide"><thead><tr><th>Device</th><th>Address</th><th>First seen</th><th></th></tr></thead><tbody>
        ${pending.map((d) => html`<tr>
          <td data-label="Device"><code>${d.guid}</code></td><td data-label="Address">${d.lastAddress ?? '—'}</td><td data-label="First seen">${when(d.firstSeen)}</td>
          <td><button class="primary" onClick=${() => decide(d.guid, 'approve')} aria-label=${`Approve ${d.guid}`}>Approve</button> <button class="danger" onClick=${() => decide(d.guid, 'deny')} aria-label=${`Deny ${d.guid}`}>Deny</button></td>
        </tr>`)}
      </tbody></table>`}
    </section>
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">Devices of ${app}</h2>
      <div class="row">
        <label>Search GUID<input type="search" value=${query} onInput=${(e) => setQuery(e.target.value)} /></label>
        <label>Status<select value=${status} onChange=${(e) => setStatus(e.target.value)}><option value="">any</option><option value="approved">approved</option><option value="pending">pending</option><option value="denied">denied</option></select></label>
        <label>Presence<select value=${online} onChange=${(e) => setOnline(e.target.value)}><option value="">any</option><option value="true">online</option><option value="false">offline</option></select></label>
      </div>
      <table class="wide"><thead><tr><th>Device</th><th>Status</th><th>Presence</th><th>Last seen</th><th>Address</th><th>Grants</th><th></th></tr></thead><tbody>
        ${devices.map((d) => html`<tr data-guid=${d.guid}>
          <td data-label="Device"><code>${d.guid}</code></td>
          <td data-label="Status"><span class=${`pill ${d.status}`}>${d.status}</span></td>
          <td data-label="Presence"><span class=${`pill ${d.online ? 'online' : ''}`}>${d.online ? 'online' : 'offline'}</span></td>
          <td data-label="Last seen">${when(d.lastSeen)}</td>
          <td data-label="Address">${d.lastAddress ?? '—'}</td>
          <td data-label="Grants">${editing === d.guid ? html`<${GrantEditor} api=${api} app=${app} device=${d} onDone=${() => { setEditing(null); void load(); }} />` : html`${d.effectiveGrants.map(formatGrant).join(', ')}${d.grants === null ? html` <span class="muted">(app default)</span>` : ''}`}</td>
          <td>${editing !== d.guid && html`<button onClick=${() => setEditing(d.guid)} aria-label=${`Edit grants of ${d.guid}`}>Grants</button>`}
            ${d.status !== 'approved' && html` <button onClick=${() => decide(d.guid, 'approve')}>Approve</button>`}
            ${d.status !== 'denied' && html` <button class="danger" onClick=${() => decide(d.guid, 'deny')}>Deny</button>`}</td>
        </tr>`)}
      </tbody></table>
    </section>`;
}
