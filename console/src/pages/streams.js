import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc } from '../api.js';
import { useAction, usePolling, when } from './shared.js';

const MINUTES = 30;

/** Messages per minute over the last 30 minutes, as bars. */
function PerMinute({ times }) {
  const now = Math.floor(Date.now() / 60_000);
  const counts = Array.from({ length: MINUTES }, (_, i) => times.filter((t) => Math.floor(t / 60) === now - (MINUTES - 1 - i)).length);
  const max = Math.max(1, ...counts);
  const w = 1200;
  const h = 120;
  const bar = w / MINUTES;
  return html`<svg viewBox=${`0 0 ${w} ${h + 16}`} width="100%" role="img" aria-label=${`Messages per minute, last ${MINUTES} minutes, at most ${max}`}>
    ${counts.map((c, i) => html`<rect x=${i * bar + 1} y=${h - (c / max) * h} width=${bar - 2} height=${(c / max) * h} fill="#0b6bcb"><title>${c} messages</title></rect>`)}
    <text x="0" y=${h + 14} font-size="11" fill="#5b6670">-${MINUTES} min</text>
    <text x=${w} y=${h + 14} font-size="11" fill="#5b6670" text-anchor="end">now · max ${max}/min</text>
  </svg>`;
}

function Tail({ api, app, stream }) {
  const [lines, setLines] = useState([]);
  const [times, setTimes] = useState([]);
  const [run, error] = useAction();
  const owner = stream.owner ? `&owner=${enc(stream.owner)}` : '';
  const query = `scope=${enc(stream.scope)}&stream=${enc(stream.stream)}${owner}`;
  useEffect(() => {
    setLines([]);
    const controller = new AbortController();
    void run(async () => {
      const recent = await api.get(`/v1/admin/apps/${enc(app)}/messages?${query}&after=${Math.max(0, stream.head - 1000)}&limit=1000`);
      setTimes(recent.messages.map((m) => m.time));
      setLines(recent.messages.slice(-20));
      await api.tail(`/v1/admin/apps/${enc(app)}/live?${query}`, (m) => {
        setLines((l) => [...l.slice(-199), m]);
        setTimes((t) => [...t, m.time]);
      }, controller.signal);
    });
    return () => controller.abort();
  }, [app, query]);
  const box = useRef(null);
  useEffect(() => box.current?.scrollTo(0, box.current.scrollHeight), [lines]);
  return html`<section aria-labelledby="tail-title">
    <h2 id="tail-title">Live tail of ${stream.scope}/${stream.owner ? `${stream.owner}/` : ''}${stream.stream}</h2>
    ${error}
    <${PerMinute} times=${times} />
    <div class="tail" ref=${box} role="log" aria-live="polite">
      ${lines.map((m) => html`<div><span class="muted">#${m.seq} ${when(m.time)} ${m.from}</span> ${m.value}</div>`)}
    </div>
  </section>`;
}

export function StreamsPage({ api, app }) {
  const [scope, setScope] = useState('');
  const [streams, setStreams] = useState([]);
  const [rates, setRates] = useState({});
  const [chosen, setChosen] = useState(null);
  const last = useRef({ at: 0, counts: {} });
  const [run, error] = useAction();
  const key = (s) => `${s.scope}/${s.owner}/${s.stream}`;
  usePolling(() => run(async () => {
    const { streams: list } = await api.get(`/v1/admin/apps/${enc(app)}/streams${scope ? `?scope=${enc(scope)}` : ''}`);
    const now = Date.now();
    const previous = last.current;
    if (previous.at > 0) {
      const minutes = (now - previous.at) / 60_000;
      setRates(Object.fromEntries(list.map((s) => [key(s), previous.counts[key(s)] === undefined ? null : Math.max(0, s.head - previous.counts[key(s)]) / minutes])));
    }
    last.current = { at: now, counts: Object.fromEntries(list.map((s) => [key(s), s.head])) };
    setStreams(list);
  }), 3000, [app, scope]);
  const scopes = [...new Set(streams.map((s) => s.scope))];
  return html`
    ${error}
    <section>
      <h2>Streams of ${app}</h2>
      <label>Scope<select value=${scope} onChange=${(e) => setScope(e.target.value)}><option value="">all</option>${scopes.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
      <table class="wide"><thead><tr><th>Scope</th><th>Stream</th><th>Messages</th><th>Head</th><th>Rate</th><th>Last message</th><th></th></tr></thead><tbody>
        ${streams.map((s) => html`<tr>
          <td data-label="Scope">${s.scope}${s.owner ? html` <span class="muted">(${s.owner})</span>` : ''}</td>
          <td data-label="Stream"><code>${s.stream}</code></td>
          <td data-label="Messages">${s.count}</td><td data-label="Head">${s.head}</td>
          <td data-label="Rate">${rates[key(s)] == null ? '—' : `${rates[key(s)].toFixed(1)}/min`}</td>
          <td data-label="Last message">${when(s.lastTime)}</td>
          <td><button onClick=${() => setChosen(s)} aria-label=${`Tail ${s.scope}/${s.stream}`}>Tail</button></td>
        </tr>`)}
      </tbody></table>
    </section>
    ${chosen && html`<${Tail} api=${api} app=${app} stream=${chosen} />`}`;
}
