// The C core on the host (issue 13): every case of spec/vectors.json, the parsers' unit tests and
// the client state machine against a scripted server, built warning-free as strict C99 and run
// plain, under ASan/UBSan and under valgrind; then the libFuzzer harnesses for a bounded time.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, removeDir } from '../support/server-process.js';

const LIB = join(ROOT, 'clients/arduino');
const SRC = join(LIB, 'src');
const TESTS = join(LIB, 'extras/test');
const STRICT = ['-Wall', '-Wextra', '-Werror', '-std=c99', '-pedantic'];
const coreSources = () => readdirSync(SRC).filter((f) => f.endsWith('.c')).map((f) => join(SRC, f));
const testSources = () => readdirSync(TESTS).filter((f) => f.endsWith('.c')).map((f) => join(TESTS, f));

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): { status: number; out: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, env: options.env ?? process.env });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** `size` (Berkeley) of the last line of its output: text, data, bss. */
function sizeOf(files: string[]): string {
  const last = run('size', ['-t', ...files]).out.trim().split('\n').pop() ?? '';
  const [text, data, bss] = last.trim().split(/\s+/);
  return `text ${text} B, data ${data} B, bss ${bss} B`;
}

function checksOf(out: string): { run: number; failed: number } {
  const m = /(\d+) checks, (\d+) failed/.exec(out);
  assert.ok(m, out);
  return { run: Number(m[1]), failed: Number(m[2]) };
}

describe('C core on the host', () => {
  let work: string;
  before(() => {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-device-toolchain.sh')], { stdio: 'inherit' });
    work = mkdtempSync(join(tmpdir(), 'stratus-arduino-host-'));
    execFileSync(process.execPath, [join(TESTS, 'vectors-to-c.mjs'), join(ROOT, 'spec/vectors.json'), join(work, 'vectors.h')]);
  });
  after(() => removeDir(work));

  const build = (name: string, extra: string[]) => {
    const out = join(work, name);
    const r = run('gcc', [...STRICT, '-g', ...extra, `-I${SRC}`, `-I${work}`, ...coreSources(), ...testSources(), '-o', out]);
    assert.equal(r.status, 0, r.out);
    return out;
  };

  it('src/ uses no libc beyond string.h, stdint.h, stddef.h and stdbool.h (and AVR pgmspace, Arduino in the C++ face)', () => {
    const allowed = new Set(['string.h', 'stdint.h', 'stddef.h', 'stdbool.h', 'avr/pgmspace.h', 'avr/eeprom.h', 'Arduino.h', 'Client.h', 'EEPROM.h', 'WiFi.h', 'ESP8266WiFi.h']);
    for (const file of readdirSync(SRC)) {
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const m of text.matchAll(/^\s*#include\s*<([^>]+)>/gm)) assert.ok(allowed.has(m[1] as string), `${file} includes <${m[1]}>`);
      assert.doesNotMatch(text, /\b(malloc|free|printf|sprintf|strtol|atoi)\s*\(/, `${file} calls a libc function the core may not use`);
    }
  });

  it('reproduces every vector, passes the parser and client tests (gcc strict C99)', () => {
    const binary = build('host_test', ['-O1']);
    const r = run(binary, []);
    assert.equal(r.status, 0, r.out);
    const { run: count, failed } = checksOf(r.out);
    assert.equal(failed, 0);
    assert.ok(count > 600, `only ${count} checks ran`);
    console.log(`# host test binary: ${count} checks; ${sizeOf([binary])}`);
  });

  it('is clean under AddressSanitizer and UndefinedBehaviorSanitizer', () => {
    const binary = build('host_test_asan', ['-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer']);
    const r = run(binary, [], { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' } });
    assert.equal(r.status, 0, r.out);
    assert.equal(checksOf(r.out).failed, 0);
  });

  it('is clean under valgrind (any error fails)', () => {
    const binary = build('host_test_vg', ['-O0']);
    const r = run('valgrind', ['-q', '--error-exitcode=9', '--leak-check=full', '--errors-for-leak-kinds=all', binary]);
    assert.equal(r.status, 0, r.out);
    assert.equal(checksOf(r.out).failed, 0);
  });

  it('runs the Arduino C++ face on the host over a scripted Client (g++ -std=c++11 strict, ASan/UBSan)', () => {
    const sanitize = ['-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
    const objects = [...coreSources(), join(TESTS, 'fake_server.c')].map((source) => {
      const object = join(work, `face-${source.split('/').pop()}.o`);
      const r = run('gcc', [...STRICT, ...sanitize, `-I${SRC}`, '-c', source, '-o', object]);
      assert.equal(r.status, 0, r.out);
      return object;
    });
    const binary = join(work, 'face_test');
    const r = run('g++', ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-pedantic', ...sanitize, `-I${join(TESTS, 'arduino')}`, `-I${SRC}`, `-I${TESTS}`, join(TESTS, 'face_test.cpp'), join(SRC, 'Stratus.cpp'), ...objects, '-o', binary]);
    assert.equal(r.status, 0, r.out);
    const ran = run(binary, []);
    assert.equal(ran.status, 0, ran.out);
    assert.equal(checksOf(ran.out).failed, 0);
  });

  it('builds the core alone at -Os and reports its host size', () => {
    const objects: string[] = [];
    for (const source of coreSources()) {
      const object = join(work, `${source.split('/').pop()}.o`);
      const r = run('gcc', [...STRICT, '-Os', '-ffunction-sections', '-fdata-sections', '-c', source, '-o', object]);
      assert.equal(r.status, 0, r.out);
      objects.push(object);
    }
    console.log(`# C core on x86-64 (-Os, ${objects.length} objects): ${sizeOf(objects)}`);
  });

  it('builds the POSIX transport and stratus-device warning-free', () => {
    const posix = join(LIB, 'extras/posix');
    const out = join(work, 'stratus-device');
    const r = run('gcc', [...STRICT, '-O1', `-I${SRC}`, `-I${posix}`, ...coreSources(), join(posix, 'stratus_posix.c'), join(posix, 'stratus_device.c'), '-o', out]);
    assert.equal(r.status, 0, r.out);
    const usage = run(out, []);
    assert.equal(usage.status, 2);
    console.log(`# stratus-device: ${statSync(out).size} B file; ${sizeOf([out])}`);
  });

  it('survives a bounded libFuzzer run of each parser (HTTP answer, config text, sync answer, static file) and of the client past the signature', () => {
    const r = run('bash', [join(LIB, 'extras/fuzz/run.sh'), '3']);
    assert.equal(r.status, 0, r.out);
    for (const harness of ['http', 'config', 'sync', 'static', 'client']) assert.match(r.out, new RegExp(`fuzz ${harness}: ok`));
    console.log(r.out.trim().replace(/^/gm, '# '));
  });
});
