import { describe, expect, it } from '@jest/globals';
import { findBodyProblem } from './http-hardening.js';

const fieldOf = (v: unknown, depth?: number) => findBodyProblem(v, depth)?.field;

describe('findBodyProblem', () => {
  it('names the dotted path of the first value or key holding U+0000', () => {
    expect(fieldOf({ name: 'ok', properties: { notes: ['fine', 'bad\u0000'] } })).toBe('properties.notes.1');
    expect(fieldOf({ 'a\u0000b': 1 })).toBe('a\\u0000b');
    expect(findBodyProblem('\u0000')).toEqual({ field: '', message: 'body must not contain NUL characters (\\u0000)' });
  });

  it('names where nesting goes deeper than allowed, however deep it goes', () => {
    expect(fieldOf({ a: { b: { c: 1 } } }, 3)).toBeUndefined();
    expect(findBodyProblem({ a: { b: { c: {} } } }, 3)).toEqual({ field: 'a.b.c', message: 'a.b.c nests deeper than 3 levels' });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(fieldOf({ x: deep })).toBe(`x${'.0'.repeat(63)}`);
  });

  it('passes clean input, including nothing at all', () => {
    expect(findBodyProblem({ name: 'ok', n: 1, on: true, none: null, list: [{ x: 'y' }] })).toBeUndefined();
    expect(findBodyProblem(undefined)).toBeUndefined();
  });
});
