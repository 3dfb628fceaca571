import { escapeValue, unescapeValue } from './config-text.js';
import { isErrorCode } from './errors.js';
import { MESSAGE_ID } from './names.js';
import type { SyncResponse } from './wire.js';

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
