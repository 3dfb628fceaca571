// PROTOCOL §5: the config text format, reserved keys; PROTOCOL §7: grant patterns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MAX_KEY_BYTES,
  escapeValue,
  formatConfigText,
  keyProblem,
  parseConfigText,
  sortedKeys,
  unescapeValue,
} from './config-text.js';
import { formatGrant, isAllowed, matchesPattern, parseGrant } from './grants.js';
import { SCOPE_NAME, STREAM_NAME } from './names.js';
import { RESERVED_KEYS, reservedKeyProblem } from './reserved-keys.js';
import type { Grant } from './wire.js';

const keyArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '#', '#x', 'a b', 'x'.repeat(128), 'é'.repeat(64), '\u{1F600}'.repeat(32)),
    },
  )
  .filter((k) => keyProblem(k) === null);
/** Any unicode, and strings made mostly of the characters the escaping is about. */
const valueArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\\', '\n', '\r', 'n', 'r', ': ', '#', ' ', 'é'), maxLength: 30 }),
);
const valuesArb = fc
  .uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([k]) => k, maxLength: 12 })
  .map((pairs): Record<string, string> => Object.fromEntries(pairs));

describe('config text (PROTOCOL §5)', () => {
  it('the example of PROTOCOL §5 formats and parses', () => {
    const values = { variable: '7', debug: '0', 'refresh interval': '300' };
    const text = 'debug: 0\nrefresh interval: 300\nvariable: 7\n';
    assert.equal(formatConfigText(values), text);
    assert.deepEqual(parseConfigText(text), values);
    assert.equal(formatConfigText({}), '');
    assert.deepEqual(parseConfigText(''), {});
  });

  it('parseConfigText(formatConfigText(v)) is v for any valid keys and any unicode values', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        assert.deepEqual(parseConfigText(formatConfigText(values)), values);
      }),
      { numRuns: 500 },
    );
  });

  it('keys that look special in JavaScript or to the parser read back: __proto__, #x', () => {
    const values = Object.fromEntries([
      ['__proto__', 'p'],
      ['#x', 'comment-looking key'],
      ['constructor', 'c'],
      ['#', ''],
    ]);
    const text = formatConfigText(values);
    assert.equal(text, '#: \n#x: comment-looking key\n__proto__: p\nconstructor: c\n');
    const parsed = parseConfigText(text);
    assert.deepEqual(parsed, values);
    assert.deepEqual(Object.keys(parsed).sort(), ['#', '#x', '__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  });

  it('formatted text has no CR and exactly one line per key, sorted by code unit, values escaped', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const text = formatConfigText(values);
        assert.equal(text.includes('\r'), false);
        const keys = Object.keys(values);
        if (keys.length === 0) return assert.equal(text, '');
        assert.equal(text.endsWith('\n'), true);
        const lines = text.slice(0, -1).split('\n');
        // Default sort compares UTF-16 code units: the order every client agrees on.
        const expected = [...keys].sort();
        assert.deepEqual(
          lines.map((line) => line.slice(0, line.indexOf(': '))),
          expected,
        );
        assert.deepEqual(
          lines.map((line) => line.slice(line.indexOf(': ') + 2)),
          expected.map((k) => escapeValue(values[k] as string)),
        );
        assert.deepEqual(sortedKeys(values), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('skips empty lines and # lines without ": " (the static header), and the last line may lack \\n', () => {
    assert.deepEqual(parseConfigText('# stratus config v1 app=a device=d4:e5\n\nk: v\nz: \\n'), { k: 'v', z: '\n' });
  });

  it('a later line for the same key wins', () => {
    assert.deepEqual(parseConfigText('k: 1\nk: 2\n'), { k: '2' });
  });

  it('throws on a line that is not "key: value" nor a comment', () => {
    for (const text of ['no separator\n', ': value\n', 'key:value\n', 'key :\n', 'k: v\r\nx\n', ' \n']) {
      assert.throws(() => parseConfigText(text), Error, JSON.stringify(text));
    }
  });
});

describe('keyProblem', () => {
  it('accepts and rejects: table', () => {
    const table: [string, boolean][] = [
      ['a', true],
      ['refresh interval', true],
      ['stratus.refresh', true],
      ['x'.repeat(MAX_KEY_BYTES), true],
      ['é'.repeat(64), true], // 128 bytes
      ['#x', true],
      ['__proto__', true],
      ['', false],
      ['x'.repeat(MAX_KEY_BYTES + 1), false],
      ['é'.repeat(65), false], // 130 bytes, 65 characters
      ['€'.repeat(43), false], // 129 bytes
      ['a:b', false],
      [':', false],
      ['a\rb', false],
      ['a\nb', false],
      ['\n', false],
      [' a', false],
      ['a ', false],
      ['\ta', false],
      ['a\u00a0', false],
      [' ', false],
    ];
    for (const [key, valid] of table) assert.equal(keyProblem(key) === null, valid, JSON.stringify(key));
  });

  it('rejects a valid key with ":", CR or LF put anywhere in it', () => {
    fc.assert(
      fc.property(keyArb, fc.nat(), fc.constantFrom(':', '\r', '\n'), (key, position, bad) => {
        const at = position % (key.length + 1);
        assert.notEqual(keyProblem(key.slice(0, at) + bad + key.slice(at)), null);
      }),
    );
  });

  it('rejects a valid key with white space at either end', () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom(' ', '\t', '\u00a0', '\u2003', '\u3000', '\ufeff'), fc.boolean(), (key, space, atStart) => {
        assert.notEqual(keyProblem(atStart ? space + key : key + space), null);
      }),
    );
  });

  it('rejects every key over 128 UTF-8 bytes, accepts valid keys up to it', () => {
    fc.assert(
      fc.property(keyArb, fc.integer({ min: 1, max: 200 }), (key, times) => {
        const long = key.repeat(times);
        fc.pre(long.trim() === long);
        assert.equal(keyProblem(long) === null, Buffer.byteLength(long, 'utf8') <= MAX_KEY_BYTES);
      }),
    );
  });
});

describe('escapeValue / unescapeValue', () => {
  it('escapes backslash, LF and CR: table', () => {
    const table: [string, string][] = [
      ['plain', 'plain'],
      ['a\nb', 'a\\nb'],
      ['a\rb', 'a\\rb'],
      ['a\\b', 'a\\\\b'],
      ['\\n', '\\\\n'],
      ['\r\n', '\\r\\n'],
      ['\\', '\\\\'],
      ['', ''],
    ];
    for (const [raw, escaped] of table) {
      assert.equal(escapeValue(raw), escaped);
      assert.equal(unescapeValue(escaped), raw);
    }
  });

  it('round-trips any string, and the escaped form has no CR or LF', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const escaped = escapeValue(value);
        assert.equal(/[\r\n]/.test(escaped), false);
        assert.equal(unescapeValue(escaped), value);
      }),
      { numRuns: 500 },
    );
  });

  it('is injective: different values never escape alike', () => {
    fc.assert(
      fc.property(valueArb, valueArb, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(escapeValue(a), escapeValue(b));
      }),
    );
  });
});

describe('reserved keys (PROTOCOL §5)', () => {
  it('the four reserved keys', () => {
    assert.deepEqual(RESERVED_KEYS, {
      refresh: 'stratus.refresh',
      configUrl: 'stratus.config_url',
      server: 'stratus.server',
      debug: 'stratus.debug',
    });
  });

  const good: [string, string][] = [
    ['stratus.refresh', '1'],
    ['stratus.refresh', '300'],
    ['stratus.refresh', '999999999'],
    ['stratus.config_url', 'https://cdn.example.com/fleet/a4cf12fe0b11.txt'],
    ['stratus.config_url', 'http://10.0.0.1:8080/config?device=x'],
    ['stratus.server', 'https://stratus.example.com'],
    ['stratus.server', 'http://[::1]:3000/'],
    ['stratus.debug', '0'],
    ['stratus.debug', '9'],
    ['stratus.debug', 'error'],
    ['stratus.debug', 'warn'],
    ['stratus.debug', 'info'],
    ['stratus.debug', 'debug'],
    ['stratus.debug', 'trace'],
    // not reserved: anything goes
    ['refresh', 'anything'],
    ['Stratus.refresh', 'x'],
    ['my.stratus.refresh', ''],
  ];
  const bad: [string, string][] = [
    ['stratus.refresh', '0'],
    ['stratus.refresh', '-1'],
    ['stratus.refresh', '1.5'],
    ['stratus.refresh', ''],
    ['stratus.refresh', ' 300'],
    ['stratus.refresh', '300 '],
    ['stratus.refresh', '0300'],
    ['stratus.refresh', '1e3'],
    ['stratus.refresh', '1000000000'],
    ['stratus.config_url', ''],
    ['stratus.config_url', 'ftp://example.com/x'],
    ['stratus.config_url', 'file:///etc/passwd'],
    ['stratus.config_url', '/relative/path'],
    ['stratus.config_url', 'example.com/config'],
    ['stratus.config_url', 'http://'],
    ['stratus.server', 'javascript:alert(1)'],
    // new URL() would accept these, but a device uses the raw text
    ['stratus.server', ' https://stratus.example.com'],
    ['stratus.server', 'https://stratus.example.com\n'],
    ['stratus.server', 'https://stratus.example.com/a b'],
    ['stratus.server', 'https://stratus.exa\tmple.com'],
    ['stratus.server', 'HTTPS://stratus.example.com'],
    ['stratus.server', 'https:\\\\stratus.example.com'],
    ['stratus.server', 'https:stratus.example.com'],
    ['stratus.debug', '10'],
    ['stratus.debug', 'verbose'],
    ['stratus.debug', 'ERROR'],
    ['stratus.debug', ''],
    ['stratus.other', '1'],
    ['stratus.', '1'],
    ['stratus.Refresh', '1'],
  ];
  it('accepts: table', () => {
    for (const [key, value] of good) assert.equal(reservedKeyProblem(key, value), null, `${key}=${JSON.stringify(value)}`);
  });
  it('rejects: table', () => {
    for (const [key, value] of bad) assert.equal(typeof reservedKeyProblem(key, value), 'string', `${key}=${JSON.stringify(value)}`);
  });
  it('never objects to a key outside the stratus. prefix', () => {
    fc.assert(
      fc.property(keyArb, valueArb, (key, value) => {
        fc.pre(!key.startsWith('stratus.'));
        assert.equal(reservedKeyProblem(key, value), null);
      }),
    );
  });
});

const scopeArb = fc.stringMatching(SCOPE_NAME);
const streamArb = fc.stringMatching(STREAM_NAME);

describe('grants (PROTOCOL §7)', () => {
  it('matchesPattern: table', () => {
    const table: [string, string, boolean][] = [
      ['*', 'anything', true],
      ['*', '', true],
      ['home', 'home', true],
      ['home', 'homes', false],
      ['home', 'Home', false],
      ['temp*', 'temp', true],
      ['temp*', 'temperature', true],
      ['temp*', 'xtemp', false],
      ['*temp', 'airtemp', true],
      ['*temp', 'temps', false],
      ['a*c', 'abc', true],
      ['a*c', 'ac', true],
      ['a*c', 'ab', false],
      ['a*b*c', 'a-x-b-y-c', true],
      ['a.b', 'a.b', true],
      ['a.b', 'axb', false],
      ['a.*', 'a.b', true],
      ['a.*', 'ab', false],
      ['$stratus', '$stratus', true],
      ['$*', '$stratus', true],
      ['$*', 'stratus', false],
      ['a+', 'aa', false],
      ['(a|b)*', 'a', false],
      ['room/*', 'room/1/temp', true],
      ['room/*', 'room', false],
      ['PRIVATE', 'PRIVATE', true],
      ['PRIVATE', 'private', false],
    ];
    for (const [pattern, value, expected] of table) {
      assert.equal(matchesPattern(pattern, value), expected, `${pattern} ~ ${value}`);
    }
  });

  it('matchesPattern agrees with the regex it replaced (`*` as `.*`, anchored) on small alphabets', () => {
    const model = (pattern: string, value: string) =>
      new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(value);
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*', '.'), maxLength: 10 });
    const value = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.'), maxLength: 14 });
    fc.assert(fc.property(pattern, value, (p, v) => matchesPattern(p, v) === model(p, v)), { numRuns: 5000 });
  });

  it('a pattern without * matches exactly itself; prefix* matches what starts with the prefix', () => {
    fc.assert(
      fc.property(streamArb, streamArb, (pattern, value) => {
        assert.equal(matchesPattern(pattern, value), pattern === value);
        assert.equal(matchesPattern(pattern, pattern), true);
        assert.equal(matchesPattern(`${pattern}*`, value), value.startsWith(pattern));
        assert.equal(matchesPattern(`*${pattern}`, value), value.endsWith(pattern));
        assert.equal(matchesPattern('*', value), true);
      }),
    );
  });

  it('isAllowed: table', () => {
    const grants: Grant[] = [
      { action: 'publish', scope: 'home', stream: 'temp*' },
      { action: 'subscribe', scope: 'home', stream: 'cmd' },
      { action: 'subscribe', scope: 'PRIVATE', stream: '*' },
    ];
    const table: [Grant['action'], string, string, boolean][] = [
      ['publish', 'home', 'temp', true],
      ['publish', 'home', 'temperature', true],
      ['publish', 'home', 'cmd', false],
      ['subscribe', 'home', 'temp', false],
      ['subscribe', 'home', 'cmd', true],
      ['publish', 'office', 'temp', false],
      ['subscribe', 'PRIVATE', 'kv', true],
      ['publish', 'PRIVATE', 'kv', false],
    ];
    for (const [action, scope, stream, expected] of table) {
      assert.equal(isAllowed(grants, action, scope, stream), expected, `${action} ${scope}/${stream}`);
    }
    assert.equal(isAllowed([], 'publish', 'home', 'temp'), false);
  });

  it('isAllowed: a wildcard grant allows its action everywhere and never the other action', () => {
    fc.assert(
      fc.property(fc.constantFrom<Grant['action']>('publish', 'subscribe'), scopeArb, streamArb, (action, scope, stream) => {
        const other = action === 'publish' ? 'subscribe' : 'publish';
        const grants: Grant[] = [{ action, scope: '*', stream: '*' }];
        assert.equal(isAllowed(grants, action, scope, stream), true);
        assert.equal(isAllowed(grants, other, scope, stream), false);
        assert.equal(isAllowed([{ action, scope, stream }], action, scope, stream), true);
      }),
    );
  });

  it('parseGrant: table', () => {
    const table: [string, Grant | null][] = [
      ['publish:home/temp*', { action: 'publish', scope: 'home', stream: 'temp*' }],
      ['subscribe:home', { action: 'subscribe', scope: 'home', stream: '*' }],
      ['subscribe:*', { action: 'subscribe', scope: '*', stream: '*' }],
      ['publish:home/room/1', { action: 'publish', scope: 'home', stream: 'room/1' }],
      ['subscribe:PRIVATE/kv', { action: 'subscribe', scope: 'PRIVATE', stream: 'kv' }],
      ['read:home', null],
      ['PUBLISH:home', null],
      ['publish', null],
      ['publish:', null],
      ['publish:/temp', null],
      ['publish:home/', null],
      [' publish:home', null],
      ['', null],
    ];
    for (const [text, expected] of table) assert.deepEqual(parseGrant(text), expected, text);
  });

  it('parseGrant reads back what formatGrant writes', () => {
    const grantArb: fc.Arbitrary<Grant> = fc.record({
      action: fc.constantFrom<Grant['action']>('publish', 'subscribe'),
      scope: fc.oneof(scopeArb, fc.constant('*'), scopeArb.map((s) => `${s}*`)),
      stream: fc.oneof(streamArb, fc.constant('*'), streamArb.map((s) => `*${s}`)),
    }, { noNullPrototype: true });
    fc.assert(
      fc.property(grantArb, (grant) => {
        assert.deepEqual(parseGrant(formatGrant(grant)), grant);
      }),
    );
  });
});
