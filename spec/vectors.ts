// Builds spec/vectors.json from the project's own protocol code: `npm run vectors` writes it, and
// spec/vectors.test.ts checks that the file and the code agree both ways.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  StratusError,
  configEtag,
  errorText,
  formatConfigText,
  formatLiveEvent,
  formatEnvelope,
  formatSyncRequestText,
  formatSyncText,
  hmacHex,
  requestStringToSign,
  responseStringToSign,
  sha256Hex,
  signLiveEvent,
  signRequest,
  signResponse,
  signStaticConfig,
  type ConfigValues,
  type ErrorCode,
  type SyncRequest,
  type SyncResponse,
  type SyncTextAnswer,
} from '../src/protocol/index.js';

export const CONTRACT_VERSION = '1.2';
export const VECTORS_FILE = fileURLToPath(new URL('../../spec/vectors.json', import.meta.url));

const SECRET = 's3cret-app-key';
const APP = 'greenhouse';
const DEVICE = 'a4cf12fe0b11';

function requestVector(name: string, method: string, target: string, time: number, nonce: string, body = '') {
  const signed = { method, target, app: APP, device: DEVICE, time, nonce, bodySha256: sha256Hex(body) };
  return { name, ...signed, body, stringToSign: requestStringToSign(signed), signature: signRequest(SECRET, signed) };
}

/** A signed answer, and the same answer in its envelope (§3.1): what a client that asked for it reads. */
function responseVector(name: string, nonce: string, status: number, time: number, body: string, retryAfterSeconds = 0) {
  const signed = { nonce, status, time, bodySha256: sha256Hex(body) };
  const signature = signResponse(SECRET, signed);
  const enveloped = formatEnvelope({ status, time, retryAfterSeconds, signature }) + body;
  return { name, ...signed, body, stringToSign: responseStringToSign(signed), signature, retryAfterSeconds, enveloped };
}

const configCase = (name: string, values: ConfigValues) => ({ name, values, text: formatConfigText(values) });

const greenhouse = { debug: '0', 'refresh interval': '300', variable: '7' };

const configText = [
  configCase('design-sketch', greenhouse),
  configCase('empty', {}),
  configCase('escapes', { lf: 'one\ntwo', cr: 'a\rb', crlf: 'x\r\ny', backslash: 'C:\\dir', 'backslash-n': 'not \\n a newline' }),
  configCase('non-ascii', { 'température': '21,5 °C', emoji: '🌱 ok', 'ключ': 'значение' }),
  configCase('empty-value', { blank: '', after: 'x' }),
  configCase('keys-with-spaces-and-punctuation', { 'refresh interval': '300', 'a b c': 'd', '#x': 'a key starting with #', 'k=v': 'y' }),
  configCase('sorted-by-code-unit', { b: '2', B: '1', a: '3', é: '4', _: '5', '0': '6' }),
  configCase('values-with-colons-and-spaces', { url: 'http://10.0.0.2:8080/x', spaced: '  leading and trailing  ', colon: ': x' }),
  configCase('reserved-keys', { 'stratus.refresh': '60', 'stratus.debug': 'info', 'stratus.server': 'http://stratus.example:8080', 'stratus.config_url': 'http://files.example/a4cf12fe0b11.txt' }),
];

const configParse = [
  { name: 'comments-and-blank-lines', text: '# a comment\n\ndebug: 1\n#also a comment\nx: y\n', values: { debug: '1', x: 'y' } },
  { name: 'no-final-newline', text: 'a: 1\nb: 2', values: { a: '1', b: '2' } },
  { name: 'static-header-skipped', text: `# stratus config v1 app=${APP} device=${DEVICE}\nvariable: 7\n`, values: { variable: '7' } },
  { name: 'first-colon-space-splits', text: 'k: v: w\nurl: http://h:1/\n', values: { k: 'v: w', url: 'http://h:1/' } },
  { name: 'hash-key-with-value-is-an-entry', text: '#x: 1\n', values: { '#x': '1' } },
];

function staticCase(name: string, file: string, device: string, values: Record<string, string> | null, app = APP) {
  return { name, app, device, file, values };
}
const deviceFile = signStaticConfig(SECRET, APP, DEVICE, greenhouse);
const defaultFile = signStaticConfig(SECRET, APP, '*', { 'refresh interval': '600' });
const staticConfig = [
  staticCase('device-file', deviceFile, DEVICE, greenhouse),
  staticCase('device-file-without-final-newline', deviceFile.slice(0, -1), DEVICE, greenhouse),
  staticCase('default-file-for-any-device', defaultFile, DEVICE, { 'refresh interval': '600' }),
  staticCase('escaped-values', signStaticConfig(SECRET, APP, DEVICE, { note: 'line1\nline2', path: 'C:\\x' }), DEVICE, { note: 'line1\nline2', path: 'C:\\x' }),
  staticCase('tampered-value', deviceFile.replace('variable: 7', 'variable: 8'), DEVICE, null),
  staticCase('other-device', deviceFile, 'b8d61a000001', null),
  staticCase('other-app', deviceFile, DEVICE, null, 'orchard'),
  staticCase('signature-upper-case', deviceFile.replace(/signature: ([0-9a-f]+)/, (_, hex: string) => `signature: ${hex.toUpperCase()}`), DEVICE, null),
  staticCase('no-signature-line', deviceFile.slice(0, deviceFile.indexOf('signature: ')), DEVICE, null),
  staticCase('other-secret', signStaticConfig(`${SECRET}x`, APP, DEVICE, greenhouse), DEVICE, null),
];

// One sync round trip in both answer forms: the request, its answer as JSON and as text.
const syncRequest: SyncRequest = {
  publish: [
    { id: `${DEVICE}-1`, scope: 'home', stream: 'temp', value: '21.5', ttl: 3600 },
    { id: `${DEVICE}-2`, scope: 'home', stream: 'door', value: 'open' },
  ],
  subscribe: [{ scope: 'home', stream: 'cmd', after: 42, limit: 10 }, { stream: 'settings' }],
  config: configEtag('debug: 0\n'),
};
const greenhouseText = formatConfigText(greenhouse);
const syncAnswer: SyncResponse = {
  time: 1732300007,
  accepted: [{ id: `${DEVICE}-1`, seq: 118 }],
  rejected: [{ id: `${DEVICE}-2`, index: 1, code: 'forbidden', message: 'no grant to publish on home/door' }],
  messages: [
    { scope: 'home', stream: 'cmd', seq: 43, value: 'on', from: 'b8d61a000001', time: 1732299990 },
    { scope: 'home', stream: 'cmd', seq: 44, value: 'set: 22 °C\nthen off\\', from: 'admin', time: 1732299995 },
    { scope: 'PRIVATE', stream: 'settings', seq: 1, value: '', from: DEVICE, time: 1732200000 },
  ],
  cursors: [
    { scope: 'home', stream: 'cmd', cursor: 42, head: 44 },
    { scope: 'PRIVATE', stream: 'settings', cursor: 0, head: 1 },
  ],
};
const fullText: SyncTextAnswer = { ...syncAnswer, config: { etag: configEtag(greenhouseText), text: greenhouseText } };

const syncText = [
  { name: 'full', answer: fullText },
  { name: 'nothing-new', answer: { time: 1732300100, accepted: [], rejected: [], messages: [], cursors: [], config: null } },
  {
    name: 'rejected-without-id-and-empty-config',
    answer: {
      time: 1732300200,
      accepted: [{ id: null, seq: 7 }],
      rejected: [{ id: null, index: 1, code: 'bad_request' as ErrorCode, message: 'publish[1]: value must be a string\n(got a number)' }],
      messages: [],
      cursors: [{ scope: 'PRIVATE', stream: 'empty', cursor: 0, head: 0 }],
      config: { etag: configEtag(''), text: '' },
    },
  },
  {
    name: 'config-only',
    answer: { time: 1732300300, accepted: [], rejected: [], messages: [], cursors: [], config: { etag: configEtag('a: 1\n'), text: 'a: 1\n' } },
  },
].map((c) => ({ name: c.name, body: formatSyncText(c.answer), answer: c.answer }));

function errorCase(name: string, accept: 'application/json' | 'text/plain', code: ErrorCode, message: string) {
  const error = new StratusError(code, message);
  const body = accept === 'text/plain' ? errorText(code, message) : JSON.stringify(error.toBody());
  return { name, accept, status: error.status, code, message, body };
}
const errors = [
  errorCase('bad-request-json', 'application/json', 'bad_request', 'subscribe[0]: limit must be 1 to 1000'),
  errorCase('stale-time-text', 'text/plain', 'stale_time', 'the request time is 1732299000, the server time 1732300000 (more than 300 s apart)'),
  errorCase('pending-approval-text', 'text/plain', 'pending_approval', 'device awaits approval'),
  errorCase('rate-limited-json', 'application/json', 'rate_limited', 'too many requests from this device; retry after 2 s'),
  errorCase('too-large-text', 'text/plain', 'too_large', 'the body is over the limit of 1048576 bytes'),
  errorCase('quota-exceeded-json', 'application/json', 'quota_exceeded', 'a device may follow 1000 streams; this one follows 1000'),
];

function liveCase(name: string, nonce: string, id: number, message: object) {
  const json = JSON.stringify(message);
  const signature = signLiveEvent(SECRET, { nonce, id, dataSha256: sha256Hex(json) });
  return { name, nonce, id, json, signature, event: formatLiveEvent(SECRET, nonce, id, json) };
}
const liveEvents = [
  liveCase('first', 'n-live-1', 1, { scope: 'home', stream: 'temp', seq: 43, value: '21.5', from: DEVICE, time: 1732300007 }),
  liveCase('unicode-separators', 'n-live-1', 2, { scope: 'home', stream: 'temp', seq: 44, value: 'a\u2028b\u2029c é', from: DEVICE, time: 1732300008 }),
];

export function buildVectors() {
  const syncBody = JSON.stringify(syncRequest);
  const syncBodyText = formatSyncRequestText(syncRequest);
  const textSync = syncText[0] as (typeof syncText)[number];
  const errorResponse = (name: string, nonce: string, time: number) => {
    const e = errors.find((x) => x.name === name) as (typeof errors)[number];
    return responseVector(`error-${name}`, nonce, e.status, time, e.body);
  };
  return {
    contract: CONTRACT_VERSION,
    secret: SECRET,
    requests: [
      requestVector('get-config', 'GET', '/v1/config', 1732300000, 'n-000001'),
      requestVector('sync', 'POST', '/v1/sync', 1732300007, 'n-000002', syncBody),
      requestVector('sync-text', 'POST', '/v1/sync', 1732300007, 'n-000003', syncBodyText),
      requestVector('query-and-unicode', 'GET', '/v1/messages?scope=home&stream=cmd&limit=5', 1732300042, 'Zx9_-.7'),
      requestVector('utf8-body', 'POST', '/v1/publish', 1732300100, 'n-000004', 'scope=home&stream=note&value=%C3%A9t%C3%A9+21%C2%B0C'),
      requestVector('percent-encoded-target-signed-as-sent', 'GET', '/v1/messages?scope=home&stream=a%2Fb&after=0', 1732300101, 'n-000005'),
      requestVector('empty-sync', 'POST', '/v1/sync', 1732300102, 'n-000006', '{}'),
      requestVector('time-zero-before-the-clock-is-set', 'GET', '/v1/config', 0, 'boot-1'),
    ],
    responses: [
      responseVector('config-200', 'n-000001', 200, 1732300001, formatConfigText(greenhouse)),
      responseVector('forbidden-403', 'n-000002', 403, 1732300008, '{"error":{"code":"pending_approval","message":"device awaits approval"}}'),
      responseVector('config-304-empty-body', 'n-000007', 304, 1732300009, ''),
      responseVector('sync-json-200', 'n-000002', 200, syncAnswer.time, JSON.stringify({ ...syncAnswer, config: { etag: configEtag(greenhouseText), values: greenhouse } })),
      responseVector('sync-text-200', 'n-000002', 200, syncAnswer.time, textSync.body),
      errorResponse('stale-time-text', 'boot-1', 1732300000),
      errorResponse('bad-request-json', 'n-000008', 1732300010),
      responseVector('error-rate-limited-text', 'n-000009', 429, 1732300011, errorText('rate_limited', 'too many requests from this device; retry after 2 s'), 2),
    ],
    sync: { request: syncRequest, requestBody: syncBody, requestText: syncBodyText, jsonAnswer: syncAnswer, textAnswer: fullText },
    configText,
    configParse,
    staticConfig,
    syncText,
    errors,
    liveEvents,
    etags: [greenhouseText, '', 'a: 1\n'].map((text) => ({ text, etag: configEtag(text) })),
    hmac: [
      { name: 'rfc4231-case-2', key: 'Jefe', message: 'what do ya want for nothing?', hmac: hmacHex('Jefe', 'what do ya want for nothing?') },
      { name: 'key-longer-than-a-block', key: 'k'.repeat(131), message: 'a key over 64 bytes is hashed first', hmac: hmacHex('k'.repeat(131), 'a key over 64 bytes is hashed first') },
    ],
  };
}

export const renderVectors = (): string => `${JSON.stringify(buildVectors(), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = renderVectors();
  if (process.argv.includes('--check')) {
    if (readFileSync(VECTORS_FILE, 'utf8') !== text) {
      console.error('spec/vectors.json differs from what the code produces: run `npm run vectors`');
      process.exit(1);
    }
  } else {
    writeFileSync(VECTORS_FILE, text);
    console.log(`wrote ${VECTORS_FILE}`);
  }
}
