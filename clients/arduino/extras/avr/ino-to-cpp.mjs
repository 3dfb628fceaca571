#!/usr/bin/env node
// Turns a sketch folder's .ino files into one C++ file the way the Arduino IDE does (without
// arduino-cli): the main .ino first and the others in name order, `#include <Arduino.h>` in front,
// and a prototype for every top-level function defined in the sketch, placed before the first
// function definition so a function may be used above the place it is written.
//   node ino-to-cpp.mjs SKETCH_DIR OUT_FILE
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import process from 'node:process';

const [sketchDir, outFile] = process.argv.slice(2);
if (!sketchDir || !outFile) {
  process.stderr.write('usage: ino-to-cpp.mjs SKETCH_DIR OUT_FILE\n');
  process.exit(2);
}
const dir = resolve(sketchDir);
const main = `${basename(dir)}.ino`;
const inos = readdirSync(dir).filter((f) => f.endsWith('.ino'));
if (!inos.includes(main)) {
  process.stderr.write(`ino-to-cpp: ${dir} has no ${main}\n`);
  process.exit(2);
}
const ordered = [main, ...inos.filter((f) => f !== main).sort()];

let source = '';
for (const name of ordered) source += `#line 1 "${join(dir, name)}"\n${readFileSync(join(dir, name), 'utf8')}\n`;

/** The source with comments, strings and character literals blanked (newlines kept). */
function blank(text) {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** The top-level parts of the code: everything outside braces, with the offset of each part. */
function topLevel(text) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      if (depth === 0) parts.push({ at: start, text: text.slice(start, i + 1) });
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) start = i + 1;
    }
  }
  if (depth === 0) parts.push({ at: start, text: text.slice(start) });
  return parts;
}

const code = blank(source);
const notTypes = new Set(['if', 'while', 'for', 'switch', 'return', 'else', 'do', 'struct', 'class', 'namespace', 'enum', 'union', 'extern', 'typedef', 'template']);
const definition = /(^|[;}\n])\s*((?:[A-Za-z_][\w:<>,]*[\s*&]+)+)([A-Za-z_]\w*)\s*\(([^()]*)\)\s*(const\s*)?\{$/;
const prototypes = [];
let firstAt = -1;
let outside = ''; // the top-level code seen so far, where a prototype would be
for (const part of topLevel(code)) {
  // preprocessor lines are not code: blank them so `#define X(a) {` is no definition
  const text = part.text.replace(/^[ \t]*#[^\n]*/gm, (m) => m.replace(/[^\n]/g, ' '));
  const m = definition.exec(text);
  const before = outside;
  outside += text;
  if (!m) continue;
  const type = (m[2] ?? '').trim().replace(/\s+/g, ' ');
  const name = m[3] ?? '';
  if (notTypes.has(type.split(/[\s*&]/)[0] ?? '')) continue;
  // a prototype would repeat the default arguments, which C++ refuses: such a function is left as written
  if ((m[4] ?? '').includes('=')) continue;
  const lead = m[0].slice((m[1] ?? '').length).match(/^\s*/)?.[0].length ?? 0;
  const at = part.at + m.index + (m[1] ?? '').length + lead;
  if (firstAt < 0) firstAt = at;
  const declared = new RegExp(`\\b${name}\\s*\\([^()]*\\)\\s*;`).test(before);
  if (!declared) prototypes.push(`${type} ${name}(${(m[4] ?? '').trim().replace(/\s+/g, ' ')});`);
}

let out = source;
if (prototypes.length > 0 && firstAt >= 0) {
  // keep compiler messages pointing at the sketch's own lines after the inserted block
  const lineStart = source.lastIndexOf('\n', firstAt - 1) + 1;
  const before = source.slice(0, lineStart);
  const fileMarks = [...before.matchAll(/#line 1 "([^"]*)"\n/g)];
  const lastMark = fileMarks[fileMarks.length - 1];
  const fileName = lastMark ? lastMark[1] : join(dir, main);
  const lineInFile = lastMark ? before.slice((lastMark.index ?? 0) + lastMark[0].length).split('\n').length : 1;
  out = `${before}${prototypes.join('\n')}\n#line ${lineInFile} "${fileName}"\n${source.slice(lineStart)}`;
}
writeFileSync(outFile, `#include <Arduino.h>\n${out}`);
