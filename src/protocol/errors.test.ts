// PROTOCOL §4: one error catalogue, a docs row per code, and a test that they agree both ways
// (as Fastify does for its codes: test/internals/errors.test.js).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE, ERROR_CODES, StratusError, errorText, isErrorCode, statusOf, type ErrorCode } from './errors.js';

// Compiled to dist/src/protocol/: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface DocsRow {
  code: string;
  status: number;
  meaning: string;
  fix: string;
}

/** The rows of the table in docs/errors.md whose header starts with `| code |`. */
function docsRows(): { header: string[]; rows: DocsRow[] } {
  const lines = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8').split('\n');
  const cells = (line: string): string[] => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const start = lines.findIndex((l) => /^\|\s*code\s*\|/.test(l));
  assert.ok(start >= 0, 'docs/errors.md has a table whose first column is "code"');
  const header = cells(lines[start] as string);
  const rows: DocsRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [code = '', status = '', meaning = '', fix = ''] = cells(line);
    rows.push({ code: code.replace(/^`|`$/g, ''), status: Number(status), meaning, fix });
  }
  return { header, rows };
}

describe('docs/errors.md agrees with ERROR_CATALOGUE', () => {
  const { header, rows } = docsRows();

  it('the table has the columns code, HTTP status, what it means, how to fix', () => {
    assert.deepEqual(header, ['code', 'HTTP status', 'what it means', 'how to fix']);
  });

  it('every catalogue code has a docs row, and every docs row is a catalogue code', () => {
    assert.deepEqual(rows.map((r) => r.code).sort(), [...ERROR_CODES].sort());
  });

  it('no code has two rows', () => {
    assert.equal(new Set(rows.map((r) => r.code)).size, rows.length);
  });

  it('each row has the catalogue status', () => {
    const docs = Object.fromEntries(rows.map((r) => [r.code, r.status]));
    const catalogue = Object.fromEntries(ERROR_CODES.map((code) => [code, ERROR_CATALOGUE[code].status]));
    assert.deepEqual(docs, catalogue);
  });

  it('each row says how to fix it with the catalogue text, and what it means', () => {
    for (const row of rows) {
      assert.ok(isErrorCode(row.code), row.code);
      assert.equal(row.fix, ERROR_CATALOGUE[row.code].fix, row.code);
      assert.notEqual(row.meaning, '', row.code);
    }
  });
});

describe('ERROR_CATALOGUE and spec/PROTOCOL.md §4', () => {
  it('holds every code PROTOCOL §4 names', () => {
    const protocol = readFileSync(join(ROOT, 'spec/PROTOCOL.md'), 'utf8');
    const section = protocol.slice(protocol.indexOf('## 4. Errors'), protocol.indexOf('## 5.'));
    const named = [...section.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string);
    assert.ok(named.length >= 11);
    for (const code of named) assert.ok(isErrorCode(code), code);
  });

  it('has the statuses PROTOCOL §2, §4 and §7 give', () => {
    const fixed: Partial<Record<ErrorCode, number>> = {
      bad_signature: 401,
      stale_time: 401,
      replayed: 401,
      pending_approval: 403,
      denied: 403,
      forbidden: 403,
      rate_limited: 429,
    };
    for (const [code, status] of Object.entries(fixed)) assert.equal(statusOf(code as ErrorCode), status, code);
  });

  it('every status is an HTTP error status', () => {
    for (const code of ERROR_CODES) {
      const { status } = ERROR_CATALOGUE[code];
      assert.ok(status >= 400 && status <= 599, code);
    }
  });
});

describe('StratusError', () => {
  it('takes its status from the catalogue and writes the PROTOCOL §4 body', () => {
    for (const code of ERROR_CODES) {
      const error = new StratusError(code, 'm');
      assert.equal(error.code, code);
      assert.equal(error.status, ERROR_CATALOGUE[code].status);
      assert.equal(error.retryAfterSeconds, null);
      assert.deepEqual(error.toBody(), { error: { code, message: 'm' } });
      assert.ok(error instanceof Error);
    }
  });

  it('keeps retryAfterSeconds and cause', () => {
    const cause = new Error('disk');
    const error = new StratusError('unavailable', 'm', { retryAfterSeconds: 5, cause });
    assert.equal(error.retryAfterSeconds, 5);
    assert.equal(error.cause, cause);
  });

  it('errorText is the text/plain form', () => {
    assert.equal(errorText('replayed', 'nonce seen'), 'error: replayed nonce seen\n');
  });

  it('isErrorCode knows only catalogue codes, not inherited names', () => {
    for (const code of ERROR_CODES) assert.equal(isErrorCode(code), true);
    for (const value of ['toString', '__proto__', 'constructor', 'BAD_REQUEST', '', 401, null, undefined]) {
      assert.equal(isErrorCode(value), false, String(value));
    }
  });
});
