import terminalKit from 'terminal-kit';
import type ScreenBuffer from 'terminal-kit/ScreenBuffer.js';
import type { Line, Style } from './view.js';

const STYLES: Record<Style, ScreenBuffer.Attributes> = {
  title: { color: 'black', bgColor: 'cyan', bold: true },
  heading: { color: 'cyan', bold: true },
  columns: { color: 'white', underline: true },
  text: { defaultColor: true },
  dim: { color: 'gray' },
  selected: { color: 'black', bgColor: 'white' },
  good: { color: 'green' },
  bad: { color: 'red' },
  keys: { color: 'black', bgColor: 'white' },
};

/**
 * The full-screen terminal of `stratus top`, through terminal-kit: the alternate screen, a screen
 * buffer drawn by difference (only changed cells are written), keys, and resizes.
 */
export class TopScreen {
  private readonly term = terminalKit.terminal;
  private buffer: ScreenBuffer;

  constructor(onKey: (name: string) => void, onResize: () => void) {
    this.term.fullscreen(true);
    this.term.hideCursor(true);
    this.term.grabInput(true);
    this.term.on('key', (name: string) => onKey(name));
    this.term.on('resize', () => {
      this.buffer = this.newBuffer();
      this.term.clear();
      onResize();
    });
    this.buffer = this.newBuffer();
  }

  get width(): number {
    return this.term.width;
  }

  get height(): number {
    return this.term.height;
  }

  private newBuffer(): ScreenBuffer {
    return new terminalKit.ScreenBuffer({ dst: this.term, width: this.term.width, height: this.term.height });
  }

  draw(lines: readonly Line[]): void {
    this.buffer.fill({ attr: { defaultColor: true, bgDefaultColor: true }, char: ' ' });
    lines.forEach((line, y) => {
      const attr = STYLES[line.style];
      // A bar style fills the whole row.
      const text = attr.bgColor ? line.text.padEnd(this.buffer.width) : line.text;
      this.buffer.put({ x: 0, y, attr, wrap: false, dx: 1, dy: 0 }, '%s', text);
    });
    this.buffer.draw({ delta: true });
  }

  /** Back to the normal screen, cursor and input as they were. */
  close(): void {
    this.term.grabInput(false);
    this.term.hideCursor(false);
    this.term.fullscreen(false);
  }
}
