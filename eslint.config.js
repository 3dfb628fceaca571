// Style lives in tools (STYLE.md §11): type-aware rules, and the dependency arrows of STYLE.md §2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', '.tmp/', 'console/dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['console/src/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'sessionStorage', 'TextDecoder', 'URLSearchParams', 'AbortController', 'setTimeout', 'setInterval', 'clearInterval', 'confirm', 'console'].map((g) => [g, 'readonly']),
      ),
    },
  },
  { files: ['scripts/**/*.mjs', 'clients/**/*.mjs'], languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly' } } },
  layer(['console/src/**/*.js'], ['**/server/**', '**/store/**', '**/cli/**', '**/client/**'], 'the console uses the admin API only (and protocol helpers)'),
  layer(['src/protocol/**/*.ts'], ['**/store/**', '**/server/**', '**/cli/**', '**/client/**', 'fastify', 'better-sqlite3', 'commander'], 'protocol depends on nothing'),
  layer(['src/store/**/*.ts'], ['**/server/**', '**/cli/**', '**/client/**', 'fastify'], 'store may import only protocol'),
  layer(['src/server/**/*.ts'], ['**/cli/**', '**/client/**'], 'server may not import cli or client'),
  layer(['src/edge/**/*.ts'], ['**/server/**', '**/store/**', '**/cli/**', 'fastify'], 'the edge gateway is a device: it talks to the server through the SDK transport only'),
  layer(['src/ops/**/*.ts'], ['**/server/**', '**/cli/**', '**/client/**', 'fastify'], 'ops (backup, restore, migrate) may import only store and protocol'),
  // The client's SQLite outbox is its one native part, kept in one module so browsers can do without it.
  layer(['src/client/**/*.ts'], ['**/server/**', '**/store/**', '**/cli/**', 'fastify', 'better-sqlite3'], 'the client SDK never imports server code; SQLite only in sqlite-storage.ts', ['src/client/sqlite-storage.ts']),
  layer(['src/client/sqlite-storage.ts'], ['**/server/**', '**/store/**', '**/cli/**', 'fastify'], 'the client SDK never imports server code'),
);
