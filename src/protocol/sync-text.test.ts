// The text sync answer (spec/PROTOCOL.md §6.3): any answer reads back as written; lines never hold
// CR or LF inside a record; malformed records are refused and unknown kinds skipped. The text sync
// request (§6.1): any request reads back as its JSON twin; fields that are not what they should be
// reach the validation as they are; lines of other kinds fail the request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatConfigText } from './config-text.js';
import { ERROR_CODES } from './errors.js';
import { MESSAGE_ID, SCOPE_NAME, STREAM_NAME, DEVICE_GUID } from './names.js';
import { StratusError } from './errors.js';
import { formatSyncRequestText, formatSyncText, parseSyncRequestText, parseSyncText, type SyncTextAnswer } from './sync-text.js';
import type { SyncRequest } from './wire.js';

const seq = fc.integer({ min: 0, max: 2 ** 40 });
const scope = fc.oneof(fc.constant('PRIVATE'), fc.stringMatching(SCOPE_NAME));
const stream = fc.stringMatching(STREAM_NAME);
const id = fc.option(fc.stringMatching(MESSAGE_ID), { nil: null });
const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));

const answerArb: fc.Arbitrary<SyncTextAnswer> = fc
  .record({
    time: seq,
    accepted: fc.array(fc.record({ id, seq }), { maxLength: 3 }),
    rejected: fc.array(fc.record({ index: fc.nat(999), id, code: fc.constantFrom(...ERROR_CODES), message: text }), { maxLength: 3 }),
    streams: fc.uniqueArray(fc.record({ scope, stream, cursor: seq, head: seq, values: fc.array(fc.record({ seq, time: seq, from: fc.stringMatching(DEVICE_GUID), value: text }), { maxLength: 3 }) }), {
      maxLength: 3,
      selector: (s) => `${s.scope} ${s.stream}`,
    }),
    config: fc.option(fc.record({ etag: fc.stringMatching(/^"[0-9a-f]{24}"$/), values: fc.dictionary(fc.stringMatching(/^[a-z][a-z ]{0,8}[a-z]$/), text) }), { nil: null }),
  })
  .map(({ streams, config, ...rest }) => ({
    ...rest,
    cursors: streams.map(({ scope, stream, cursor, head }) => ({ scope, stream, cursor, head })),
    messages: streams.flatMap(({ scope, stream, values }) => values.map((m) => ({ scope, stream, ...m }))),
    config: config && { etag: config.etag, text: formatConfigText(config.values) },
  }));

describe('sync text answer', () => {
  it('reads back any answer as written, one record a line', () => {
    fc.assert(
      fc.property(answerArb, (answer) => {
        const body = formatSyncText(answer);
        assert.deepEqual(parseSyncText(body), JSON.parse(JSON.stringify(answer))); // plain objects: fc.record makes null-prototype ones
        const records = answer.config ? body.slice(0, body.indexOf('\nconfig: ') + 1) : body;
        assert.doesNotMatch(records, /\r/);
        assert.equal(records.split('\n').length - 1, 1 + answer.accepted.length + answer.rejected.length + answer.cursors.length + answer.messages.length);
      }),
    );
  });

  it('writes * for a missing or invalid id', () => {
    const body = formatSyncText({ time: 1, accepted: [{ id: null, seq: 2 }], rejected: [{ index: 0, id: 'has space', code: 'bad_request', message: 'm' }], messages: [], cursors: [], config: null });
    assert.equal(body, 'time: 1\naccepted: * 2\nrejected: 0 * bad_request m\n');
  });

  it('skips records of unknown kinds and refuses malformed known ones', () => {
    assert.deepEqual(parseSyncText('time: 5\nlater-kind: a b c\n').time, 5);
    for (const bad of ['time: x\n', 'accepted: id\n', 'cursor: a b 1\n', 'rejected: 0 id nope m\n', 'no colon\n', 'time: 5']) {
      assert.throws(() => parseSyncText(bad), Error, JSON.stringify(bad));
    }
  });
});

const requestArb: fc.Arbitrary<SyncRequest> = fc.record(
  {
    publish: fc.array(
      fc.record({ id: fc.stringMatching(MESSAGE_ID), scope, stream, value: text, ttl: fc.integer({ min: 1, max: 2 ** 31 }) }, { requiredKeys: ['stream', 'value'] }),
      { minLength: 1, maxLength: 4 }, // an empty list has no line: it reads as none
    ),
    subscribe: fc.array(
      fc.oneof(
        fc.record({ scope, stream, after: seq, limit: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['stream'] }),
        fc.record({ scope, stream, reset: fc.constant(true), limit: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['stream', 'reset'] }),
      ),
      { minLength: 1, maxLength: 4 }, // an empty list has no line: it reads as none
    ),
    config: fc.option(fc.stringMatching(/^"[0-9a-f]{24}"$/), { nil: null }),
  },
  { requiredKeys: [] },
);

describe('sync text request', () => {
  it('reads back any request as its JSON twin, one line an item', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const body = formatSyncRequestText(request);
        assert.deepEqual(parseSyncRequestText(body), JSON.parse(JSON.stringify(request)));
        assert.doesNotMatch(body, /\r/);
        const lines = (request.publish?.length ?? 0) + (request.subscribe?.length ?? 0) + (request.config !== undefined ? 1 : 0);
        assert.equal(body.split('\n').length - 1, lines);
      }),
    );
  });

  it('writes * for what is left out and reset in place of after', () => {
    const body = formatSyncRequestText({ publish: [{ stream: 't', value: 'a b\n*' }], subscribe: [{ stream: 'c', reset: true }], config: null });
    assert.equal(body, 'publish: * * t * a b\\n*\nsubscribe: * c reset *\nconfig: *\n');
  });

  it('hands fields that are not what they should be to the validation as they are', () => {
    assert.deepEqual(parseSyncRequestText('publish: a * t soon v\npublish: b * t\nsubscribe: * c x 0\n'), {
      publish: [{ id: 'a', stream: 't', ttl: 'soon', value: 'v' }, { id: 'b', stream: 't' }],
      subscribe: [{ stream: 'c', after: 'x', limit: 0 }],
    });
    assert.deepEqual(parseSyncRequestText(''), {});
  });

  it('refuses lines of other kinds, a second config line and a last line without its newline', () => {
    for (const bad of ['hello\n', 'time: 5\n', 'config: *\nconfig: *\n', 'subscribe: * c * *  x\n', 'subscribe: * c *\n', 'publish: a * t * v']) {
      assert.throws(() => parseSyncRequestText(bad), (e: unknown) => e instanceof StratusError && e.code === 'bad_request', JSON.stringify(bad));
    }
  });
});
