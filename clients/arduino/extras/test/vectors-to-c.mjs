// Turns spec/vectors.json into a C header for host_test.c: `node vectors-to-c.mjs VECTORS OUT.h`.
// Run at test time into a temp dir, so the header is never stale and never in the repository.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const [, , input, output] = process.argv;
const v = JSON.parse(readFileSync(input, 'utf8'));

/** A C string literal of the UTF-8 bytes (octal escapes: they never swallow a following digit). */
function c(text) {
  if (text === null || text === undefined) return 'NULL';
  let out = '"';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}
const len = (text) => Buffer.byteLength(text, 'utf8');
const lines = [];
const emit = (s) => lines.push(s);
const list = (name, type, items, row) => {
  emit(`static const ${type} ${name}[] = {${items.length ? items.map(row).join(',\n  ') : '{0}'}};`);
  return items.length;
};

emit('/* generated from spec/vectors.json by vectors-to-c.mjs: do not edit */');
emit(`static const char *const V_SECRET = ${c(v.secret)};`);
emit(`static const char *const V_CONTRACT = ${c(v.contract)};`);

emit('typedef struct { const char *name, *method, *target, *app, *device; unsigned long time; const char *nonce, *body; size_t body_len; const char *body_sha256, *signature; } v_request;');
const nreq = list('V_REQUESTS', 'v_request', v.requests, (r) =>
  `{${c(r.name)}, ${c(r.method)}, ${c(r.target)}, ${c(r.app)}, ${c(r.device)}, ${r.time}UL, ${c(r.nonce)}, ${c(r.body)}, ${len(r.body)}, ${c(r.bodySha256)}, ${c(r.signature)}}`);
emit(`#define V_REQUESTS_N ${nreq}`);

emit('typedef struct { const char *name, *nonce; unsigned status; unsigned long time; const char *body; size_t body_len; const char *body_sha256, *signature; unsigned long retry_after; const char *enveloped; size_t enveloped_len; } v_response;');
const nres = list('V_RESPONSES', 'v_response', v.responses, (r) =>
  `{${c(r.name)}, ${c(r.nonce)}, ${r.status}, ${r.time}UL, ${c(r.body)}, ${len(r.body)}, ${c(r.bodySha256)}, ${c(r.signature)}, ${r.retryAfterSeconds}UL, ${c(r.enveloped)}, ${len(r.enveloped)}}`);
emit(`#define V_RESPONSES_N ${nres}`);

emit('typedef struct { const char *key, *value; } v_pair;');
emit('typedef struct { const char *name, *text; size_t text_len; const v_pair *values; size_t n; } v_config;');
const configs = [...v.configText, ...v.configParse];
configs.forEach((k, i) => list(`V_CONFIG_${i}`, 'v_pair', Object.entries(k.values), ([key, value]) => `{${c(key)}, ${c(value)}}`));
const ncfg = list('V_CONFIGS', 'v_config', configs, (k, i) =>
  `{${c(k.name)}, ${c(k.text)}, ${len(k.text)}, V_CONFIG_${i}, ${Object.keys(k.values).length}}`);
emit(`#define V_CONFIGS_N ${ncfg}`);

emit('typedef struct { const char *name, *app, *device, *file; size_t file_len; int valid; const v_pair *values; size_t n; } v_static;');
v.staticConfig.forEach((k, i) => list(`V_STATIC_${i}`, 'v_pair', Object.entries(k.values ?? {}), ([key, value]) => `{${c(key)}, ${c(value)}}`));
const nst = list('V_STATICS', 'v_static', v.staticConfig, (k, i) =>
  `{${c(k.name)}, ${c(k.app)}, ${c(k.device)}, ${c(k.file)}, ${len(k.file)}, ${k.values ? 1 : 0}, V_STATIC_${i}, ${Object.keys(k.values ?? {}).length}}`);
emit(`#define V_STATICS_N ${nst}`);

emit('typedef struct { const char *id; unsigned long seq; } v_accepted;');
emit('typedef struct { unsigned long index; const char *id, *code, *message; } v_rejected;');
emit('typedef struct { const char *scope, *stream; unsigned long cursor, head; } v_cursor;');
emit('typedef struct { const char *scope, *stream; unsigned long seq, time; const char *from, *value; size_t value_len; } v_message;');
emit('typedef struct { const char *name, *body; size_t body_len; unsigned long time; const v_accepted *accepted; size_t n_accepted; const v_rejected *rejected; size_t n_rejected; const v_cursor *cursors; size_t n_cursors; const v_message *messages; size_t n_messages; const char *etag, *config_text; size_t config_len; } v_sync_text;');
const syncCases = [...v.syncText];
const textResponse = v.responses.find((r) => r.name === 'sync-text-200');
if (v.sync?.textAnswer && textResponse) syncCases.push({ name: 'sync.textAnswer', body: textResponse.body, answer: v.sync.textAnswer });
syncCases.forEach((k, i) => {
  const a = k.answer;
  list(`V_SYNC_${i}_ACC`, 'v_accepted', a.accepted, (x) => `{${c(x.id)}, ${x.seq}UL}`);
  list(`V_SYNC_${i}_REJ`, 'v_rejected', a.rejected, (x) => `{${x.index}UL, ${c(x.id)}, ${c(x.code)}, ${c(x.message)}}`);
  list(`V_SYNC_${i}_CUR`, 'v_cursor', a.cursors, (x) => `{${c(x.scope)}, ${c(x.stream)}, ${x.cursor}UL, ${x.head}UL}`);
  list(`V_SYNC_${i}_MSG`, 'v_message', a.messages, (x) => `{${c(x.scope)}, ${c(x.stream)}, ${x.seq}UL, ${x.time}UL, ${c(x.from)}, ${c(x.value)}, ${len(x.value)}}`);
});
const nsync = list('V_SYNC_TEXTS', 'v_sync_text', syncCases, (k, i) => {
  const a = k.answer;
  return `{${c(k.name)}, ${c(k.body)}, ${len(k.body)}, ${a.time}UL, V_SYNC_${i}_ACC, ${a.accepted.length}, V_SYNC_${i}_REJ, ${a.rejected.length}, V_SYNC_${i}_CUR, ${a.cursors.length}, V_SYNC_${i}_MSG, ${a.messages.length}, ${c(a.config?.etag)}, ${c(a.config?.text)}, ${a.config ? len(a.config.text) : 0}}`;
});
emit(`#define V_SYNC_TEXTS_N ${nsync}`);

// The sync request body the C writer must reproduce byte for byte.
const req = v.sync.request;
emit('typedef struct { const char *id, *scope, *stream, *value; unsigned long ttl; } v_publish;');
emit('typedef struct { const char *scope, *stream; long after; unsigned limit; int reset; } v_subscribe;');
const npub = list('V_SYNC_PUBLISH', 'v_publish', req.publish ?? [], (p) => `{${c(p.id)}, ${c(p.scope)}, ${c(p.stream)}, ${c(p.value)}, ${p.ttl ?? 0}UL}`);
const nsub = list('V_SYNC_SUBSCRIBE', 'v_subscribe', req.subscribe ?? [], (s) => `{${c(s.scope)}, ${c(s.stream)}, ${s.after ?? -1}L, ${s.limit ?? 0}, ${s.reset ? 1 : 0}}`);
emit(`#define V_SYNC_PUBLISH_N ${npub}`);
emit(`#define V_SYNC_SUBSCRIBE_N ${nsub}`);
emit(`static const char *const V_SYNC_CONFIG = ${c(req.config ?? null)};`);
emit(`static const char *const V_SYNC_BODY = ${c(v.sync.requestText)}; // the text form (PROTOCOL §6.1)`);

emit('typedef struct { const char *name; unsigned status; const char *code, *body; size_t body_len; } v_error;');
const nerr = list('V_ERRORS', 'v_error', v.errors, (e) => `{${c(e.name)}, ${e.status}, ${c(e.code)}, ${c(e.body)}, ${len(e.body)}}`);
emit(`#define V_ERRORS_N ${nerr}`);

emit('typedef struct { const char *name, *key, *message, *hmac; } v_hmac;');
const nh = list('V_HMACS', 'v_hmac', v.hmac ?? [], (h) => `{${c(h.name)}, ${c(h.key)}, ${c(h.message)}, ${c(h.hmac)}}`);
emit(`#define V_HMACS_N ${nh}`);

emit('typedef struct { const char *text; size_t text_len; const char *etag; } v_etag;');
const ne = list('V_ETAGS', 'v_etag', v.etags ?? [], (e) => `{${c(e.text)}, ${len(e.text)}, ${c(e.etag)}}`);
emit(`#define V_ETAGS_N ${ne}`);

emit('typedef struct { const char *name, *nonce; unsigned long id; const char *json; size_t json_len; const char *signature; } v_live;');
const nl = list('V_LIVES', 'v_live', v.liveEvents ?? [], (e) => `{${c(e.name)}, ${c(e.nonce)}, ${e.id}UL, ${c(e.json)}, ${len(e.json)}, ${c(e.signature)}}`);
emit(`#define V_LIVES_N ${nl}`);

writeFileSync(output, lines.join('\n') + '\n');
