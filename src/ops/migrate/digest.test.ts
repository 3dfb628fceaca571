// The digest that verifies a migration is the same for the same rows on both sides: SQLite hands JSON
// columns back as the text it stored, PostgreSQL's JSONB as a parsed object with its keys reordered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TABLES } from '../tables.js';
import { TableDigest } from './digest.js';

const devices = TABLES.find((t) => t.name === 'devices')!;
const grantArb = fc.record({ action: fc.constantFrom('publish', 'subscribe'), scope: fc.string(), stream: fc.string() });
const rowArb = fc.tuple(fc.nat(), fc.nat(), fc.string(), fc.constantFrom('approved', 'pending', 'denied'), fc.option(fc.array(grantArb)), fc.nat(), fc.nat(), fc.option(fc.string()));

/** A JSON text as another writer might have stored it: keys in reverse order, spaces added. */
function reordered(value: unknown): string {
  if (Array.isArray(value)) return `[ ${value.map(reordered).join(' , ')} ]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value).reverse().map(([k, v]) => `${JSON.stringify(k)} : ${reordered(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

const digest = (rows: unknown[][]): string => {
  const d = new TableDigest(devices);
  d.add(rows);
  return d.hex();
};

describe('TableDigest', () => {
  it('is equal for JSON text (SQLite) and the parsed value with keys in any order (JSONB)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 5 }), (rows) => {
        const asSqlite = rows.map((r) => r.map((v, i) => (i === 4 && v !== null ? JSON.stringify(v) : v)));
        const asOtherText = rows.map((r) => r.map((v, i) => (i === 4 && v !== null ? reordered(v) : v)));
        const asPostgres = rows.map((r) => [...r]);
        assert.equal(digest(asSqlite), digest(asPostgres));
        assert.equal(digest(asOtherText), digest(asPostgres));
      }),
    );
  });

  it('differs when any value, the order of rows, or a NULL versus text differs', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 2, maxLength: 5 }), fc.nat(), (rows, pick) => {
        const base = digest(rows);
        const i = pick % rows.length;
        const changed = rows.map((r, j) => (j === i ? [...r.slice(0, 2), `${r[2]}x`, ...r.slice(3)] : r));
        assert.notEqual(digest(changed), base);
        if (JSON.stringify(rows[0]) !== JSON.stringify(rows[1])) assert.notEqual(digest([rows[1], rows[0], ...rows.slice(2)] as unknown[][]), base);
      }),
    );
    assert.notEqual(digest([[1, 1, 'g', 'approved', null, 1, 1, null]]), digest([[1, 1, 'g', 'approved', null, 1, 1, 'null']]));
  });
});
