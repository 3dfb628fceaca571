// The repository stands alone: every relative link in its Markdown resolves to a file inside it,
// and no file reaches for a folder beside the checkout.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './support/server-process.js';

const SKIP = new Set(['node_modules', 'dist', '.git', 'data', '.tmp']);
const TEXT = /\.(md|ts|mjs|js|json|sh|c|h|cpp|ino|properties|txt|yml|yaml)$|^\.?[A-Za-z]+$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : TEXT.test(entry.name) ? [path] : [];
  });
}

describe('the repository stands alone', () => {
  const all = files(ROOT);

  it('every relative Markdown link resolves inside the repository', () => {
    const broken: string[] = [];
    for (const file of all.filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target as string)) continue;
        const path = resolve(dirname(file), (target as string).split('#')[0] as string);
        if (relative(ROOT, path).startsWith('..') || !existsSync(path)) broken.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('no file refers to a folder beside the checkout', () => {
    const beside = '..' + '/shared';
    const offenders = all.filter((f) => readFileSync(f, 'utf8').includes(beside)).map((f) => relative(ROOT, f));
    assert.deepEqual(offenders, []);
  });
});
