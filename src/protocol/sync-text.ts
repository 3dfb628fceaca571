import { escapeValue, unescapeValue } from './config-text.js';
import { StratusError, isErrorCode } from './errors.js';
import { MESSAGE_ID } from './names.js';
import type { SyncRequest, SyncResponse } from './wire.js';

/**
 * The text form of the sync answer (spec/PROTOCOL.md §6.3), for clients that cannot afford a JSON
 * reader: one `kind: fields` record a line, names separated by single spaces (no name holds one),
 * a value or message last on its line and escaped like a config value, and the config text, when
 * sent, after a last `config:` record, byte for byte as `GET /v1/config` serves it.
 */

/** What a text answer carries: the config as its text (a C client caches it as is), not as values. */
export interface SyncTextAnswer extends Omit<SyncResponse, 'config'> {
  config: { etag: string; text: string } | null;
}

/** `*` stands for a missing or invalid id: it is never a valid one. */
const idField = (id: string | null): string => (id !== null && MESSAGE_ID.test(id) ? id : '*');

export function formatSyncText(answer: SyncTextAnswer): string {
  let out = `time: ${answer.time}\n`;
  for (const a of answer.accepted) out += `accepted: ${idField(a.id)} ${a.seq}\n`;
  for (const r of answer.rejected) out += `rejected: ${r.index} ${idField(r.id)} ${r.code} ${escapeValue(r.message)}\n`;
  const byStream = new Map<string, string>();
  for (const m of answer.messages) {
    const key = `${m.scope} ${m.stream}`;
    byStream.set(key, `${byStream.get(key) ?? ''}message: ${key} ${m.seq} ${m.time} ${m.from} ${escapeValue(m.value)}\n`);
  }
  for (const c of answer.cursors) out += `cursor: ${c.scope} ${c.stream} ${c.cursor} ${c.head}\n${byStream.get(`${c.scope} ${c.stream}`) ?? ''}`;
  if (answer.config) out += `config: ${answer.config.etag}\n${answer.config.text}`;
  return out;
}

/** Reads a text answer; records of unknown kinds are skipped, malformed known ones throw. */
export function parseSyncText(body: string): SyncTextAnswer {
  const answer: SyncTextAnswer = { time: 0, accepted: [], rejected: [], messages: [], cursors: [], config: null };
  let at = 0;
  while (at < body.length) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw new Error('a record must end with a newline');
    const line = body.slice(at, end);
    at = end + 1;
    const colon = line.indexOf(': ');
    if (colon <= 0) throw new Error(`expected "<kind>: <fields>", got ${JSON.stringify(line)}`);
    const kind = line.slice(0, colon);
    const rest = line.slice(colon + 2);
    if (kind === 'config') {
      answer.config = { etag: rest, text: body.slice(at) };
      break;
    }
    readRecord(answer, kind, rest);
  }
  return answer;
}

function readRecord(answer: SyncTextAnswer, kind: string, rest: string): void {
  const id = (field: string): string | null => (field === '*' ? null : field);
  switch (kind) {
    case 'time':
      answer.time = whole(rest);
      return;
    case 'accepted': {
      const [a, seq] = fields(rest, 2) as [string, string];
      answer.accepted.push({ id: id(a), seq: whole(seq) });
      return;
    }
    case 'rejected': {
      const [index, a, code, message] = fields(rest, 4) as [string, string, string, string];
      if (!isErrorCode(code)) throw new Error(`unknown error code ${code}`);
      answer.rejected.push({ index: whole(index), id: id(a), code, message: unescapeValue(message) });
      return;
    }
    case 'cursor': {
      const [scope, stream, cursor, head] = fields(rest, 4) as [string, string, string, string];
      answer.cursors.push({ scope, stream, cursor: whole(cursor), head: whole(head) });
      return;
    }
    case 'message': {
      const [scope, stream, seq, time, from, value] = fields(rest, 6) as [string, string, string, string, string, string];
      answer.messages.push({ scope, stream, seq: whole(seq), time: whole(time), from, value: unescapeValue(value) });
      return;
    }
    default:
      return; // a kind this reader does not know: later versions may add some
  }
}

/** The first n-1 space-separated fields, then the rest of the line as the last one. */
function fields(text: string, n: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n - 1; i++) {
    const space = text.indexOf(' ', at);
    if (space <= at) throw new Error(`expected ${n} fields in ${JSON.stringify(text)}`);
    out.push(text.slice(at, space));
    at = space + 1;
  }
  out.push(text.slice(at));
  return out;
}

function whole(text: string | undefined): number {
  if (text === undefined || !/^\d{1,15}$/.test(text)) throw new Error(`expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * The text form of the sync request (spec/PROTOCOL.md §6.1), sent with `Content-Type: text/plain`:
 * `publish: <id> <scope> <stream> <ttl> <value>`, `subscribe: <scope> <stream> <after> <limit>`
 * and `config: <etag>` lines, `*` for a field left out (`reset` in place of `after`). A C client
 * keeps its queued publishes as these lines and sends them as they are: no JSON writer.
 */
export function formatSyncRequestText(request: SyncRequest): string {
  const word = (value: string | number | undefined): string => (value === undefined ? '*' : String(value));
  let out = '';
  for (const p of request.publish ?? []) out += `publish: ${word(p.id)} ${word(p.scope)} ${p.stream} ${word(p.ttl)} ${escapeValue(p.value)}\n`;
  for (const s of request.subscribe ?? []) out += `subscribe: ${word(s.scope)} ${s.stream} ${s.reset ? 'reset' : word(s.after)} ${word(s.limit)}\n`;
  if (request.config !== undefined) out += `config: ${request.config ?? '*'}\n`;
  return out;
}

/**
 * Reads a text sync request into the fields of the JSON one, for the same validation: a field that
 * is not what it should be (a ttl that is not a number, a publish line without its value) is left
 * as text or out, so that the item is rejected as its JSON twin would be. Lines that are not
 * records of the three kinds fail the whole request.
 */
export function parseSyncRequestText(body: string): Record<string, unknown> {
  const request: { publish?: Record<string, unknown>[]; subscribe?: Record<string, unknown>[]; config?: string | null } = {};
  const lines = body.split('\n');
  if (lines.pop() !== '') throw new StratusError('bad_request', `line ${lines.length + 1} must end with a newline`);
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new StratusError('bad_request', `line ${i + 1}: ${why}`);
    };
    const colon = line.indexOf(': ');
    const kind = colon > 0 ? line.slice(0, colon) : fail('expected "<kind>: <fields>" (publish, subscribe or config)');
    const rest = line.slice(colon + 2);
    switch (kind) {
      case 'publish': {
        const [id, scope, stream, ttl, value] = words(rest, 5);
        const item = omitStars({ id, scope, stream, ttl: number(ttl) });
        if (value !== undefined) item.value = unescapeValue(value); // a value may be `*`
        (request.publish ??= []).push(item);
        return;
      }
      case 'subscribe': {
        const [scope, stream, after, limit, extra] = words(rest, 5);
        if (extra !== undefined || limit === undefined) fail('a subscribe line is <scope> <stream> <after> <limit>');
        const reset = after === 'reset';
        (request.subscribe ??= []).push(omitStars({ scope, stream, after: reset ? undefined : number(after), limit: number(limit), reset: reset || undefined }));
        return;
      }
      case 'config':
        if (request.config !== undefined) fail('one config line at most');
        request.config = rest === '*' ? null : rest;
        return;
      default:
        return fail(`unknown kind "${kind}" (publish, subscribe or config)`);
    }
  });
  return request;
}

/** The first n-1 space-separated words, then the rest (the value: it may hold spaces); fewer when the line has fewer. */
function words(text: string, n: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let at = 0;
  while (out.length < n - 1) {
    const space = text.indexOf(' ', at);
    if (space < 0) break;
    out.push(text.slice(at, space));
    at = space + 1;
  }
  out.push(text.slice(at));
  return out;
}

/** A whole number as a number; anything else stays text (the validation then names the field). */
const number = (text: string | undefined): number | string | undefined => (text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : text);

/** `*` and missing fields are left out (the defaults apply). */
function omitStars(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '*'));
}
