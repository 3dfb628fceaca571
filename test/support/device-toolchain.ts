// Builds and runs device firmware for the Arduino tests: the Debian toolchain (installed by
// scripts/ensure-device-toolchain.sh when missing), sketches built for real 8-bit boards by
// clients/arduino/extras/avr/build-sketch.sh, and simavr runs through simrun (extras/avr/simrun.c).
// Everything is built into directories the caller passes (temp dirs), never into the repository.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './server-process.js';

const run = promisify(execFile);

export const ARDUINO_LIBRARY = join(ROOT, 'clients/arduino');
export const AVR_EXTRAS = join(ARDUINO_LIBRARY, 'extras/avr');
/** The test firmware (sketches) under extras/avr. */
export const AVR_FIRMWARE = join(AVR_EXTRAS, 'firmware');
/** Stand-ins: Ethernet (no driver), EthernetOverBridge (the UART bridge), StratusNull (no library). */
export const AVR_STUBS = join(AVR_EXTRAS, 'stubs');
export const DESIGN_SKETCH = join(ARDUINO_LIBRARY, 'examples/DesignSketch');

/** Cycles at 16 MHz as milliseconds, for diagnostics. */
export const ms = (cycles: number) => `${(cycles / 16000).toFixed(1)} ms`;

let ensured = false;
/** Installs the missing Debian packages once per process (quick when nothing is missing). */
export function ensureDeviceToolchain(): void {
  if (ensured) return;
  execFileSync('bash', [join(ROOT, 'scripts/ensure-device-toolchain.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  ensured = true;
}

export type Board = 'uno' | 'mega';

/** avr-size figures: flash = text + data, ram = data + bss (static RAM). */
export interface AvrSize {
  board: Board;
  text: number;
  data: number;
  bss: number;
  flash: number;
  ram: number;
  flashMax: number;
  ramMax: number;
}

export interface SketchBuild {
  elf: string;
  hex: string;
  size: AvrSize;
  /** What the build printed (compiler warnings included). */
  log: string;
}

export interface SketchOptions {
  /** Compile the library's src/ (default true); false builds a baseline without it. */
  library?: boolean;
  /** More library roots to compile (their src/), e.g. the stand-ins under extras/avr/stubs. */
  libraries?: string[];
  /** Header folders for every compilation (AVR_EXTRAS for the bridge client and sim hooks). */
  includes?: string[];
  /** `NAME` or `NAME=VALUE`, for every compilation. */
  defines?: string[];
  /** A folder where the compiled core and libraries are kept for later builds (a temp dir). */
  cache?: string;
}

/** Builds SKETCH_DIR for an 8-bit board into OUT_DIR with build-sketch.sh. */
export async function buildSketch(board: Board, sketchDir: string, outDir: string, options: SketchOptions = {}): Promise<SketchBuild> {
  const args = [join(AVR_EXTRAS, 'build-sketch.sh')];
  if (options.library === false) args.push('--no-lib');
  if (options.cache) args.push('--cache', options.cache);
  for (const lib of options.libraries ?? []) args.push('--lib', lib);
  for (const dir of options.includes ?? []) args.push('-I', dir);
  for (const define of options.defines ?? []) args.push(`-D${define}`);
  args.push(board, sketchDir, outDir);
  let out: { stdout: string; stderr: string };
  try {
    out = await run('bash', args, { maxBuffer: 16 << 20 });
  } catch (error: any) {
    throw new Error(`build-sketch ${board} ${sketchDir} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, { cause: error });
  }
  const line = /^size: (.*)$/m.exec(out.stdout)?.[1];
  if (!line) throw new Error(`build-sketch printed no size line:\n${out.stdout}`);
  const field = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1]);
  const name = sketchDir.replace(/\/+$/, '').split('/').pop() as string;
  return {
    elf: join(outDir, `${name}.elf`),
    hex: join(outDir, `${name}.hex`),
    size: {
      board,
      text: field('text'),
      data: field('data'),
      bss: field('bss'),
      flash: field('flash'),
      ram: field('ram'),
      flashMax: field('flash_max'),
      ramMax: field('ram_max'),
    },
    log: out.stdout + out.stderr,
  };
}

const PLATFORM = '/usr/share/arduino/hardware/arduino/avr';

/**
 * Sizes of C++ objects as avr-g++ lays them out for BOARD: compiles `code` (which defines char
 * arrays whose sizes are the figures wanted) without LTO, and reads each symbol's size with avr-nm.
 */
export async function avrSymbolSizes(board: Board, code: string, dir: string, includes: string[] = []): Promise<Record<string, number>> {
  const source = join(dir, 'probe.cpp');
  const object = join(dir, 'probe.o');
  writeFileSync(source, code);
  const mcu = board === 'uno' ? 'atmega328p' : 'atmega2560';
  const variant = board === 'uno' ? 'standard' : 'mega';
  await run('avr-g++', [
    '-c', '-Os', '-std=gnu++11', '-fno-exceptions', `-mmcu=${mcu}`, '-DF_CPU=16000000L', '-DARDUINO=10807', '-DARDUINO_ARCH_AVR',
    `-I${PLATFORM}/cores/arduino`, `-I${PLATFORM}/variants/${variant}`, ...includes.map((d) => `-I${d}`), source, '-o', object,
  ]);
  return symbolSizes(await run('avr-nm', ['-S', object]).then((r) => r.stdout));
}

/** Every sized symbol of an ELF or object, by name (avr-nm -S). */
export async function elfSymbolSizes(elf: string): Promise<Record<string, number>> {
  return symbolSizes((await run('avr-nm', ['-S', elf])).stdout);
}

function symbolSizes(nm: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const m of nm.matchAll(/^[0-9a-f]+ ([0-9a-f]+) \w (\S+)$/gm)) sizes[m[2] as string] = parseInt(m[1] as string, 16);
  return sizes;
}

/** One line for a test diagnostic. */
export function describeSize(label: string, s: AvrSize): string {
  return `${label} (${s.board}): flash ${s.flash} B of ${s.flashMax} (text ${s.text} + data ${s.data}), static RAM ${s.ram} B of ${s.ramMax} (data ${s.data} + bss ${s.bss})`;
}

/** Compiles simrun (simavr + the UART/TCP bridge) with the host gcc into DIR; returns its path. */
export async function buildSimrun(dir: string): Promise<string> {
  const flags = (await run('pkg-config', ['--cflags', '--libs', 'simavr'])).stdout.trim().split(/\s+/);
  const binary = join(dir, 'simrun');
  await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, join(AVR_EXTRAS, 'simrun.c'), join(AVR_EXTRAS, 'bridge.c'), ...flags, '-lelf']);
  return binary;
}

export interface SimOptions {
  /** "FROM=TO" bridge routes, e.g. `*=127.0.0.1:8080`. */
  routes?: string[];
  /** Simulated cycles before the run is stopped (default 60 s at 16 MHz). */
  maxCycles?: number;
  /** Wall-clock limit in seconds (default 120). */
  wallSeconds?: number;
  /** Bytes fed to UART0 at the start. */
  input?: string;
  /** The board the ELF was built for (Arduino builds carry no .mmcu section): default mega. */
  board?: Board;
  /** Output pins to report, as port letter and bit: `B5` (the Uno's LED), `B7` (the Mega's). */
  watchPins?: string[];
  /** End the run (reason "pin") when this pin goes high: for sketches that never end. */
  endOnPin?: string;
  /** Called with each of simrun's own lines as it comes (marks, pins, bridge connects). */
  onLine?: (line: string) => void;
}

/** The LED_BUILTIN pin (13) of each board, as simrun names pins. */
export const LED_PIN: Record<Board, string> = { uno: 'B5', mega: 'B7' };

export interface SimMark {
  value: number;
  cycle: number;
}

export interface SimResult {
  code: number | null;
  /** UART0 text. */
  stdout: string;
  /** simrun's own lines. */
  stderr: string;
  reason: string;
  cycles: number;
  marks: SimMark[];
  pins: { pin: string; value: number; cycle: number }[];
  /** The deepest the stack went, and how far above the end of .bss that stayed (< 0: into it). */
  stackBytes: number;
  stackHeadroom: number;
}

/** Runs an ELF in simavr through simrun; resolves when the firmware ends (never rejects). */
export function runSim(simrun: string, elf: string, options: SimOptions = {}): Promise<SimResult> {
  const args = ['-m', options.board === 'uno' ? 'atmega328p' : 'atmega2560', '-f', '16000000'];
  if (options.maxCycles) args.push('-c', String(options.maxCycles));
  if (options.wallSeconds) args.push('-w', String(options.wallSeconds));
  for (const r of options.routes ?? []) args.push('-r', r);
  if (options.input !== undefined) args.push('-i', options.input);
  for (const pin of options.watchPins ?? []) args.push('-p', pin);
  if (options.endOnPin) args.push('-e', options.endOnPin);
  args.push(elf);
  return new Promise((done) => {
    const child = spawn(simrun, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
    let partial = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
    child.on('close', (code) => {
      const end = /^simrun: end (\S+) code=\d+ cycles=(\d+)/m.exec(stderr);
      const marks = [...stderr.matchAll(/^simrun: mark (\d+) (\d+)$/gm)].map((m) => ({ value: Number(m[1]), cycle: Number(m[2]) }));
      const pins = [...stderr.matchAll(/^simrun: pin (\w+) (\d) (\d+)$/gm)].map((m) => ({ pin: m[1] as string, value: Number(m[2]), cycle: Number(m[3]) }));
      const stack = /^simrun: stack (\d+) bytes, (-?\d+) bytes above \.bss$/m.exec(stderr);
      done({
        code,
        stdout,
        stderr,
        reason: end?.[1] ?? 'none',
        cycles: Number(end?.[2] ?? 0),
        marks,
        pins,
        stackBytes: Number(stack?.[1] ?? NaN),
        stackHeadroom: Number(stack?.[2] ?? NaN),
      });
    });
  });
}

/** Cycles from the first mark FROM to the first mark TO after it. */
export function cyclesBetween(marks: SimMark[], from: number, to: number): number {
  const start = marks.find((m) => m.value === from);
  const end = start && marks.find((m) => m.value === to && m.cycle >= start.cycle);
  if (!start || !end) throw new Error(`no marks ${from} then ${to} in ${JSON.stringify(marks)}`);
  return end.cycle - start.cycle;
}
