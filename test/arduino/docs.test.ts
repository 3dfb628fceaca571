// The Arduino sketches in the docs compile for a real Uno: docs/arduino.md's design sketch and the
// README's, with Debian's Arduino AVR core (the Ethernet library is a stand-in: Debian has none).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AVR_STUBS, DESIGN_SKETCH, buildSketch, ensureDeviceToolchain } from '../support/device-toolchain.js';
import { ROOT, removeDir } from '../support/server-process.js';

const cppBlocks = (file: string): string[] => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```cpp\n([\s\S]*?)```/g)].map((m) => m[1] as string);
/** The code lines of a sketch, comments and blank lines left out. */
const codeLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/\s*\/\/.*$/, '').trimEnd())
    .filter((line) => line.trim() !== '');

describe('Arduino sketches in the docs', () => {
  let dir: string;
  before(() => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-docs-sketch-'));
  });
  after(() => removeDir(dir));

  it("docs/arduino.md shows examples/DesignSketch's code, line for line", () => {
    const [doc] = cppBlocks('docs/arduino.md');
    assert.ok(doc, 'docs/arduino.md has a cpp block');
    assert.deepEqual(codeLines(doc), codeLines(readFileSync(join(DESIGN_SKETCH, 'DesignSketch.ino'), 'utf8')));
  });

  for (const [file, name] of [['docs/arduino.md', 'DocsSketch'], ['README.md', 'ReadmeSketch']] as const) {
    it(`${file}: the sketch compiles for an Uno`, async (t) => {
      const [code] = cppBlocks(file);
      assert.ok(code, `${file} has a cpp block`);
      const sketch = join(dir, name);
      mkdirSync(sketch, { recursive: true });
      writeFileSync(join(sketch, `${name}.ino`), code);
      const build = await buildSketch('uno', sketch, join(dir, `${name}-out`), { libraries: [join(AVR_STUBS, 'Ethernet')] });
      t.diagnostic(`${file}: ${build.size.flash} B flash, ${build.size.ram} B static RAM on an Uno`);
      assert.ok(build.size.flash <= build.size.flashMax && build.size.ram <= build.size.ramMax);
    });
  }
});
