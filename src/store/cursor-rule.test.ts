import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextCursor, replayStart, type CursorState } from './cursor-rule.js';

const START = 3; // what the replay start gives in these cases

describe('nextCursor (PROTOCOL §6)', () => {
  const cases: [string, CursorState, number][] = [
    ['new, no after: the replay start', { stored: null, head: 10, after: null, reset: false }, START],
    ['new, after below the head: after', { stored: null, head: 10, after: 7, reset: false }, 7],
    ['new, after past the head: the head', { stored: null, head: 10, after: 99, reset: false }, 10],
    ['new, after 0: 0', { stored: null, head: 10, after: 0, reset: false }, 0],
    ['stored, no after: stays', { stored: 5, head: 10, after: null, reset: false }, 5],
    ['stored, after ahead: moves to after', { stored: 5, head: 10, after: 8, reset: false }, 8],
    ['stored, after behind: never moves back', { stored: 5, head: 10, after: 2, reset: false }, 5],
    ['stored, after past the head: the head', { stored: 5, head: 10, after: 99, reset: false }, 10],
    ['stored past a lowered head, after past it: stays', { stored: 12, head: 10, after: 99, reset: false }, 12],
    ['reset, stored: the replay start', { stored: 5, head: 10, after: null, reset: true }, START],
    ['reset ignores after', { stored: 5, head: 10, after: 8, reset: true }, START],
    ['reset, none stored: the replay start', { stored: null, head: 10, after: 8, reset: true }, START],
  ];
  for (const [name, state, expected] of cases) {
    it(name, () => assert.equal(nextCursor(state, () => START), expected));
  }

  it('asks for the replay start only when it is used', () => {
    let asked = 0;
    nextCursor({ stored: 5, head: 10, after: 8, reset: false }, () => ++asked);
    nextCursor({ stored: null, head: 10, after: 8, reset: false }, () => ++asked);
    assert.equal(asked, 0);
    nextCursor({ stored: null, head: 10, after: null, reset: false }, () => ++asked);
    assert.equal(asked, 1);
  });
});

describe('replayStart', () => {
  const cases: [string, [number, number | null, number | null], number][] = [
    ['no limit: the head', [10, null, null], 10],
    ['limit 0: the head', [10, 0, 4], 10],
    ['the limit-th newest is seq 8: just before it', [10, 3, 8], 7],
    ['fewer live messages than the limit: from the start', [10, 50, null], 0],
    ['empty stream', [0, 5, null], 0],
  ];
  for (const [name, [head, limit, nth], expected] of cases) {
    it(name, () => assert.equal(replayStart(head, limit, nth), expected));
  }
});
