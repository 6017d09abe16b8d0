import { describe, expect, it } from '@jest/globals';
import { NotJsonError, type JsonValue } from './json.js';
import { RunState, stateAccess } from './state.js';

describe('RunState', () => {
  it('get / set / has / delete / keys / toJSON', () => {
    const changes: Array<[string, JsonValue | undefined]> = [];
    const s = new RunState({ a: 1 }, (k, v) => changes.push([k, v]));
    expect(s.get('a')).toBe(1);
    expect(s.get('missing')).toBeUndefined();
    expect(s.get('missing', 7)).toBe(7);
    expect(s.get('a', 7)).toBe(1);
    s.set('list', [1, { b: 'x' }]);
    s.set('nothing', null);
    expect(s.has('list')).toBe(true);
    expect(s.has('nothing')).toBe(true);
    expect(s.has('b')).toBe(false);
    expect(s.keys()).toEqual(['a', 'list', 'nothing']);
    expect(s.delete('a')).toBe(true);
    expect(s.delete('a')).toBe(false);
    expect(s.toJSON()).toEqual({ list: [1, { b: 'x' }], nothing: null });
    expect(changes).toEqual([
      ['list', [1, { b: 'x' }]],
      ['nothing', null],
      ['a', undefined],
    ]);
  });

  it('hands out copies: changing a value read or written does not change the state', () => {
    const s = new RunState();
    const v = { wells: ['A1'] };
    s.set('plate', v);
    v.wells.push('B1');
    const read = s.get<{ wells: string[] }>('plate')!;
    read.wells.push('C1');
    expect(s.get('plate')).toEqual({ wells: ['A1'] });
    const all = s.toJSON();
    (all.plate as { wells: string[] }).wells.length = 0;
    expect(s.get('plate')).toEqual({ wells: ['A1'] });
  });

  it('refuses non-JSON values, naming the key, and keeps the old value', () => {
    class Sample {
      id = 1;
    }
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const s = new RunState({ kept: 1 });
    const cases: Array<[string, unknown, RegExp]> = [
      ['fn', function pipette() {}, /^state\.fn must be a JSON value .*found a function \(pipette\)$/],
      ['undef', undefined, /^state\.undef must be a JSON value.*found undefined$/],
      ['nan', Number.NaN, /^state\.nan .*found NaN$/],
      ['inf', Number.POSITIVE_INFINITY, /^state\.inf .*found Infinity$/],
      ['date', new Date(0), /^state\.date .*found a Date \(store date\.toISOString\(\)\)$/],
      ['sample', new Sample(), /^state\.sample .*found an instance of Sample$/],
      ['map', new Map(), /found a Map$/],
      ['big', 10n, /found a bigint \(10n\)$/],
      ['cycle', cycle, /^state\.cycle\.self .*found a circular reference$/],
      ['deep', { list: [1, { when: undefined }] }, /^state\.deep\.list\[1\]\.when .*found undefined$/],
      ['kept', () => 1, /^state\.kept /],
    ];
    for (const [key, value, message] of cases) {
      const err = (() => {
        try {
          s.set(key, value as JsonValue);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(NotJsonError);
      expect((err as Error).message).toMatch(message);
      expect((err as NotJsonError).path.startsWith(`state.${key}`)).toBe(true);
    }
    expect(s.toJSON()).toEqual({ kept: 1 });
    expect(() => new RunState({ bad: undefined as never })).toThrow(/state\.bad/);
    expect(() => s.set('', 1)).toThrow(/non-empty strings/);
  });

  it('accepts the same object twice in one value (not a cycle)', () => {
    const shared = { v: 1 };
    const s = new RunState();
    s.set('twice', { a: shared, b: [shared, shared] });
    expect(s.get('twice')).toEqual({ a: { v: 1 }, b: [{ v: 1 }, { v: 1 }] });
  });

  it('diffSince: before and after of what changed', () => {
    const s = new RunState({ same: 1, changed: 1, removed: 'x' });
    const snap = s.snapshot();
    s.set('same', 1);
    s.set('changed', 2);
    s.delete('removed');
    s.set('added', [1]);
    expect(s.diffSince(snap)).toEqual({ changed: { before: 1, after: 2 }, removed: { before: 'x' }, added: { after: [1] } });
  });
});

describe('stateAccess', () => {
  it('attribute access, `in`, delete and enumeration see the same values as get/set', () => {
    const s = new RunState();
    const state = stateAccess(s);
    state.count = 1;
    expect(s.get('count')).toBe(1);
    expect(state.count).toBe(1);
    state.set('name', 'run');
    expect(state.name).toBe('run');
    expect('name' in state).toBe(true);
    expect('other' in state).toBe(false);
    expect(state.other).toBeUndefined();
    expect(delete state.name).toBe(true);
    expect(state.has('name')).toBe(false);
    expect('name' in state).toBe(false);
    state.nested = { a: [1, 2] };
    expect(Object.keys(state)).toEqual(['count', 'nested']);
    expect({ ...state }).toEqual({ count: 1, nested: { a: [1, 2] } });
    expect(JSON.stringify(state)).toBe('{"count":1,"nested":{"a":[1,2]}}');
    expect(Object.hasOwn(state, 'count')).toBe(true);
  });

  it('methods stay methods, bound to the state, and cannot be overwritten by assignment', () => {
    const state = stateAccess(new RunState({ a: 1 }));
    const { get, keys } = state;
    expect(get('a')).toBe(1);
    expect(keys()).toEqual(['a']);
    expect('get' in state).toBe(true);
    expect(() => {
      state.get = 1 as never;
    }).toThrow(/state\.get is a method; use state\.set\('get', value\)/);
    // a key named like a method is reached with get/set
    state.set('keys', 3);
    expect(state.get('keys')).toBe(3);
    expect(typeof state.keys).toBe('function');
  });

  it('never looks like a promise (awaiting it gives the state back)', async () => {
    const state = stateAccess(new RunState({ then: 1 }));
    expect(state.then).toBeUndefined();
    expect(await state).toBe(state);
  });

  it('refuses non-JSON values set as attributes, naming the key', () => {
    const state = stateAccess(new RunState());
    expect(() => {
      state.callback = (() => 1) as never;
    }).toThrow(/^state\.callback must be a JSON value.*found a function/);
    expect(() => {
      state.missing = undefined;
    }).toThrow(/^state\.missing .*found undefined/);
    expect(() => {
      state.when = new Date() as never;
    }).toThrow(/state\.when .*a Date/);
    expect('callback' in state).toBe(false);
    expect(Object.keys(state)).toEqual([]);
  });
});
