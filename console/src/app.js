// The Stratus web console: Preact components over the admin API only.
import { render } from 'preact';
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { createApi, enc, session } from './api.js';
import { AppsPage } from './pages/apps.js';
import { ConfigPage } from './pages/config.js';
import { DevicesPage } from './pages/devices.js';
import { StreamsPage } from './pages/streams.js';

const PAGES = [
  ['devices', 'Devices', DevicesPage],
  ['config', 'Config', ConfigPage],
  ['streams', 'Streams', StreamsPage],
  ['apps', 'Apps', AppsPage],
];

function SignIn({ onSignedIn, reason }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(reason);
  const submit = async (event) => {
    event.preventDefault();
    session.signIn(token.trim());
    try {
      await createApi(() => undefined).get('/v1/admin/apps');
      onSignedIn();
    } catch (e) {
      session.signOut();
      setError(e.code === 'unauthorized' ? 'That admin token was refused. Copy it again from the first `stratus serve` output, or make one with `stratus token create`.' : e.message);
    }
  };
  return html`<main class="signin"><section>
    <h2>Sign in to Stratus</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form onSubmit=${submit}>
      <label>Admin token<input type="password" name="token" autocomplete="current-password" value=${token} onInput=${(e) => setToken(e.target.value)} required autofocus /></label>
      <p><button class="primary" type="submit">Sign in</button></p>
      <p class="muted">The token stays in this tab only, until you sign out or close it.</p>
    </form>
  </section></main>`;
}

function Console({ onSignedOut }) {
  const api = createApi(onSignedOut);
  const [page, setPage] = useState(location.hash.slice(1) || 'devices');
  const [apps, setApps] = useState([]);
  const [current, setCurrent] = useState(null);
  const [error, setError] = useState(null);
  const loadApps = useCallback(async () => {
    try {
      const { apps: list } = await api.get('/v1/admin/apps');
      setApps(list);
      setCurrent((c) => (c && list.some((a) => a.name === c) ? c : (list[0]?.name ?? null)));
    } catch (e) {
      setError(e.message);
    }
  }, []);
  useEffect(() => void loadApps(), []);
  useEffect(() => {
    location.hash = page;
  }, [page]);
  const Page = (PAGES.find(([id]) => id === page) ?? PAGES[0])[2];
  return html`
    <header>
      <h1>Stratus</h1>
      <nav aria-label="Pages">
        ${PAGES.map(([id, label]) => html`<button aria-current=${page === id ? 'page' : undefined} onClick=${() => setPage(id)}>${label}</button>`)}
      </nav>
      <label style="color:#cfd8e0;flex-direction:row;align-items:center;margin:0 0 0 auto">App
        <select aria-label="App" value=${current ?? ''} onChange=${(e) => setCurrent(e.target.value)}>
          ${apps.map((a) => html`<option value=${a.name}>${a.name}</option>`)}
        </select>
      </label>
      <button class="signout" onClick=${() => { session.signOut(); onSignedOut(null); }}>Sign out</button>
    </header>
    <main>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${current || page === 'apps'
        ? html`<${Page} api=${api} app=${current} apps=${apps} reloadApps=${loadApps} />`
        : html`<section><p>No app yet: create one on the Apps page.</p></section>`}
    </main>`;
}

function Root() {
  const [signedIn, setSignedIn] = useState(Boolean(session.token));
  const [reason, setReason] = useState(null);
  if (!signedIn) return html`<${SignIn} reason=${reason} onSignedIn=${() => setSignedIn(true)} />`;
  return html`<${Console} onSignedOut=${(why) => { setReason(why); setSignedIn(false); }} />`;
}

render(html`<${Root} />`, document.getElementById('root'));

export { enc };
