import { createHash } from 'node:crypto';
import type { Row, TableSpec } from '../tables.js';

/** JSON with object keys sorted: PostgreSQL's JSONB reorders keys and drops spaces, SQLite keeps the text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A table's rows, in key order, folded into a count and a SHA-256, the same for the same data in
 * either database: JSON columns are compared by value (parsed from SQLite's text, as PostgreSQL
 * returns JSONB), every other value as it reads.
 */
export class TableDigest {
  private readonly hash = createHash('sha256');
  private readonly json: boolean[];
  rows = 0;

  constructor(table: TableSpec) {
    this.json = table.columns.map((c) => c.type === 'jsonb');
  }

  add(rows: readonly Row[]): void {
    for (const row of rows) {
      const values = row.map((v, i) => (this.json[i] && typeof v === 'string' ? JSON.parse(v) : v));
      this.hash.update(canonical(values)).update('\n');
      this.rows += 1;
    }
  }

  hex(): string {
    return this.hash.copy().digest('hex');
  }
}
