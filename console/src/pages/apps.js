import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useAction, when } from './shared.js';

function AppRow({ api, app, reloadApps, onSecret }) {
  const [policy, setPolicy] = useState(app.policy);
  const [ttl, setTtl] = useState(String(app.defaultTtlSeconds));
  const [maxTtl, setMaxTtl] = useState(String(app.maxTtlSeconds));
  const [run, error] = useAction();
  const save = () =>
    run(async () => {
      await api.patch(`/v1/admin/apps/${enc(app.name)}`, { policy, defaultTtlSeconds: Number(ttl), maxTtlSeconds: Number(maxTtl) });
      await reloadApps();
    });
  const rotate = () =>
    run(async () => {
      if (!confirm(`Rotate the secret of ${app.name}? Devices keep working with the old one for the overlap.`)) return;
      const r = await api.post(`/v1/admin/apps/${enc(app.name)}/rotate-secret`, {});
      onSecret(app.name, r.secret, r.previousValidUntil);
    });
  return html`<tr>
    <td data-label="App"><strong>${app.name}</strong><br /><span class="muted">since ${when(app.createdAt)}</span>${error}</td>
    <td data-label="Policy"><select aria-label=${`Policy of ${app.name}`} value=${policy} onChange=${(e) => setPolicy(e.target.value)}>
      <option value="open">open</option><option value="approval">approval</option><option value="closed">closed</option></select></td>
    <td data-label="Default TTL (s)"><input aria-label=${`Default TTL of ${app.name}`} size="8" value=${ttl} onInput=${(e) => setTtl(e.target.value)} /></td>
    <td data-label="Max TTL (s)"><input aria-label=${`Max TTL of ${app.name}`} size="9" value=${maxTtl} onInput=${(e) => setMaxTtl(e.target.value)} /></td>
    <td><button onClick=${save}>Save</button> <button class="danger" onClick=${rotate}>Rotate secret</button></td>
  </tr>`;
}

export function AppsPage({ api, apps, reloadApps }) {
  const [name, setName] = useState('');
  const [policy, setPolicy] = useState('approval');
  const [secret, setSecret] = useState(null);
  const [run, error] = useAction();
  const create = (event) => {
    event.preventDefault();
    return run(async () => {
      const r = await api.post('/v1/admin/apps', { name: name.trim(), policy });
      setSecret({ app: r.app.name, secret: r.secret });
      setName('');
      await reloadApps();
    });
  };
  return html`
    ${secret && html`<p class="notice" role="status">The secret of <strong>${secret.app}</strong> is <code>${secret.secret}</code>. It is shown only now: put it in your devices' configuration.${secret.until ? ` The previous secret works until ${when(secret.until)}.` : ''}</p>`}
    <section>
      <h2>Create an app</h2>
      ${error}
      <form class="row" onSubmit=${create}>
        <label>Name<input value=${name} onInput=${(e) => setName(e.target.value)} placeholder="greenhouse" pattern="[a-z0-9][a-z0-9_-]{0,63}" title="lower-case letters, digits, - and _" required /></label>
        <label>Policy for unknown devices<select value=${policy} onChange=${(e) => setPolicy(e.target.value)}>
          <option value="approval">approval: an admin decides</option><option value="open">open: admitted at once</option><option value="closed">closed: refused</option></select></label>
        <button class="primary" type="submit">Create</button>
      </form>
    </section>
    <section>
      <h2>Apps</h2>
      <table class="wide"><thead><tr><th>App</th><th>Policy</th><th>Default TTL (s)</th><th>Max TTL (s)</th><th></th></tr></thead>
        <tbody>${apps.map((a) => html`<${AppRow} key=${a.name} api=${api} app=${a} reloadApps=${reloadApps} onSecret=${(app, s, until) => setSecret({ app, secret: s, until })} />`)}</tbody>
      </table>
    </section>`;
}
