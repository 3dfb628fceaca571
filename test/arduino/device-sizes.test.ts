// Flash and RAM of the client, held to the budgets: the design's sketch built for the Uno
// and the Mega with Debian's arduino-core-avr (the library's share measured against the same sketch
// built on a do-nothing Stratus), and the C core on a Cortex-M0+ and on the host.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ARDUINO_LIBRARY,
  AVR_STUBS,
  avrSymbolSizes,
  type Board,
  buildSketch,
  DESIGN_SKETCH,
  describeSize,
  elfSymbolSizes,
  ensureDeviceToolchain,
  type SketchBuild,
} from '../support/device-toolchain.js';
import { removeDir } from '../support/server-process.js';

// The budgets: the design's sketch fits an Uno (32,256 B of flash for sketches; static RAM
// leaving room for the stack in 2 KB), the library's own share ≤ 10 KB flash and ≤ 400 B RAM beyond
// the buffers the sketch sizes.
const UNO_FLASH_BYTES = 32256;
const UNO_STATIC_RAM_BYTES = 1536;
const LIBRARY_FLASH_BYTES = 10 * 1024;
const LIBRARY_RAM_BYTES = 400;
const run = promisify(execFile);

interface LibraryShare {
  full: SketchBuild;
  baseline: SketchBuild;
  /** The buffers the sketch sizes (STRATUS_*_BYTES): the Stratus object less StratusBase. */
  buffers: number;
  flash: number;
  /** Static RAM beyond the buffers. */
  ram: number;
}

/**
 * A sketch built for BOARD with the library, and again against a Stratus that does nothing
 * (stubs/StratusNull): the difference is the library's share. Debian ships no Ethernet library, so
 * both use a stand-in with its names (stubs/Ethernet), whose own cost cancels out.
 */
async function libraryShare(board: Board, sketch: string, dir: string): Promise<LibraryShare> {
  const name = basename(sketch);
  const full = await buildSketch(board, sketch, join(dir, `${name}-${board}`), { libraries: [join(AVR_STUBS, 'Ethernet')] });
  const baseline = await buildSketch(board, sketch, join(dir, `${name}-${board}-baseline`), {
    library: false,
    libraries: [join(AVR_STUBS, 'Ethernet'), join(AVR_STUBS, 'StratusNull')],
  });
  // Stratus = StratusBase + the arrays the sketch's #defines size (Stratus.h)
  const probe = await avrSymbolSizes(board, '#include <Stratus.h>\nchar probe_base[sizeof(StratusBase)];\n', dir, [join(ARDUINO_LIBRARY, 'src')]);
  const instance = /\bStratus\s+(\w+)\s*\(/.exec(readFileSync(join(sketch, `${name}.ino`), 'utf8'))?.[1] ?? 'stratus';
  const objectBytes = (await elfSymbolSizes(full.elf))[instance];
  assert.ok(objectBytes && probe.probe_base, `sizes of ${instance} and StratusBase`);
  const buffers = objectBytes - probe.probe_base;
  assert.equal(full.log.match(/warning:.*\/src\//g), null, `the library builds without warnings:\n${full.log}`);
  return { full, baseline, buffers, flash: full.size.flash - baseline.size.flash, ram: full.size.ram - baseline.size.ram - buffers };
}

function diagnose(t: { diagnostic(message: string): void }, name: string, share: LibraryShare): void {
  t.diagnostic(`${describeSize(name, share.full.size)} (without the Ethernet library itself)`);
  t.diagnostic(describeSize(`${name} against a do-nothing Stratus`, share.baseline.size));
  t.diagnostic(
    `${share.full.size.board}: the library's share in ${name}: ${share.flash} B flash, ${share.ram} B static RAM beyond the sketch's ${share.buffers} B of buffers`,
  );
}

describe('the examples on real 8-bit boards: sizes and budgets', () => {
  let dir: string;
  before(() => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-avr-sizes-'));
  });
  after(() => {
    if (dir) removeDir(dir);
  });

  for (const board of ['uno', 'mega'] as const) {
    it(`${board}: DesignSketch builds, fits, and the library's share stays within ${LIBRARY_FLASH_BYTES} B of flash and ${LIBRARY_RAM_BYTES} B of RAM`, async (t) => {
      const share = await libraryShare(board, DESIGN_SKETCH, dir);
      diagnose(t, 'DesignSketch', share);
      if (board === 'uno') {
        assert.ok(share.full.size.flash <= UNO_FLASH_BYTES, `flash ${share.full.size.flash} > ${UNO_FLASH_BYTES}`);
        assert.ok(share.full.size.ram <= UNO_STATIC_RAM_BYTES, `static RAM ${share.full.size.ram} > ${UNO_STATIC_RAM_BYTES}`);
      }
      assert.ok(share.ram <= LIBRARY_RAM_BYTES, `library RAM ${share.ram} > ${LIBRARY_RAM_BYTES}`);
      assert.ok(share.flash <= LIBRARY_FLASH_BYTES, `library flash ${share.flash} > ${LIBRARY_FLASH_BYTES}`);
    });
  }

  it('uno: UnoEthernet (small buffers, EEPROM queue) builds and fits', async (t) => {
    const share = await libraryShare('uno', join(ARDUINO_LIBRARY, 'examples/UnoEthernet'), dir);
    diagnose(t, 'UnoEthernet', share);
    assert.ok(share.full.size.flash <= UNO_FLASH_BYTES, `flash ${share.full.size.flash} > ${UNO_FLASH_BYTES}`);
    assert.ok(share.full.size.ram <= UNO_STATIC_RAM_BYTES, `static RAM ${share.full.size.ram} > ${UNO_STATIC_RAM_BYTES}`);
  });
});

describe('the C core on a Cortex-M0+ and on the host: sizes', () => {
  let dir: string;
  before(() => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-arm-'));
  });
  after(() => {
    if (dir) removeDir(dir);
  });

  for (const target of ['cortex-m0plus', 'host'] as const) {
    it(`${target}: the core with a sketch-like main, against the same main without it`, async (t) => {
      const { stdout, stderr } = await run('bash', [join(ARDUINO_LIBRARY, 'extras/arm/build-size.sh'), target, join(dir, target)], { maxBuffer: 8 << 20 });
      assert.doesNotMatch(stderr, /warning:/, `the core compiles without warnings (-std=c99 -pedantic -Wall -Wextra):\n${stderr}`);
      const line = (kind: string) => {
        const found = new RegExp(`^size: target=${target} ${kind} (.*)$`, 'm').exec(stdout)?.[1] ?? '';
        return Object.fromEntries([...found.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
      };
      const program = line('program');
      const library = line('library');
      const objects = line('objects');
      t.diagnostic(
        `${target}: library flash ${library.flash} B, static RAM ${library.ram} B beyond the sketch's buffers (program ${program.text}+${program.data} B flash, ` +
          `${program.data}+${program.bss} B RAM with 448 B of buffers); the core's objects before --gc-sections: text ${objects.text}, data ${objects.data}, bss ${objects.bss}`,
      );
      assert.ok((library.flash ?? 0) > 1000, stdout);
      assert.ok((library.ram ?? -1) >= 0, stdout);
    });
  }
});
