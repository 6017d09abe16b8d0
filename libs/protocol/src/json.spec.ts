import { describe, expect, it } from '@jest/globals';
import { buildDeckLayout, createLabware, getDeckType, LiquidHandler, LiquidHandlerSimulator, Plate, TipRack } from '@praxis/hardware';
import { assertJson, cloneJson, NotJsonError, toLoggable } from './json.js';

function demoDeck() {
  const deck = buildDeckLayout(
    getDeckType('STARletDeck'),
    [
      { name: 'tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
      { name: 'tips', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 0 },
      { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
      { name: 'plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
    ],
    createLabware,
  );
  return { deck, plate: deck.getResource('plate') as Plate, tips: deck.getResource('tips') as TipRack };
}

describe('toLoggable', () => {
  it('turns hardware resources and machines into { $ref, type }', () => {
    const { deck, plate, tips } = demoDeck();
    expect(plate).toBeInstanceOf(Plate);
    const lh = new LiquidHandler({ name: 'starlet', backend: new LiquidHandlerSimulator(), deck });
    expect(toLoggable(plate)).toEqual({ $ref: 'plate', type: 'plate' });
    expect(toLoggable(plate.get('B3'))).toEqual({ $ref: 'plate_B3', type: 'well' });
    expect(toLoggable(tips)).toEqual({ $ref: 'tips', type: 'tip_rack' });
    expect(toLoggable(tips.get(0))).toEqual({ $ref: 'tips_A1', type: 'tip_spot' });
    expect(toLoggable(deck.getResource('plate_car'))).toEqual({ $ref: 'plate_car', type: 'plate_carrier' });
    expect(toLoggable(lh)).toEqual({ $ref: 'starlet', type: 'machine' });
    // anywhere in a value
    expect(toLoggable({ lh, wells: plate.wells('A1:B1'), volume: 20 })).toEqual({
      lh: { $ref: 'starlet', type: 'machine' },
      wells: [
        { $ref: 'plate_A1', type: 'well' },
        { $ref: 'plate_B1', type: 'well' },
      ],
      volume: 20,
    });
    expect(() => JSON.stringify(toLoggable([deck, lh]))).not.toThrow();
  });

  it('keeps JSON as it is and summarises the rest', () => {
    const json = { a: [1, 'two', true, null, { b: -0.5 }] };
    expect(toLoggable(json)).toEqual(json);
    expect(toLoggable(undefined)).toBeNull();
    expect(toLoggable(Number.NaN)).toBe('NaN');
    expect(toLoggable(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(toLoggable(12n)).toBe('12n');
    expect(toLoggable(Symbol('s'))).toBe('Symbol(s)');
    expect(toLoggable(function named() {})).toBe('[Function named]');
    expect(toLoggable(new TypeError('nope'))).toEqual({ $error: 'TypeError', message: 'nope' });
    expect(toLoggable(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000Z');
    expect(toLoggable(new Map<string, unknown>([['x', 1], ['y', undefined]]))).toEqual({ x: 1 });
    expect(toLoggable(new Set([1, 2]))).toEqual([1, 2]);
    expect(toLoggable(new Uint8Array([1, 2]))).toEqual([1, 2]);
    expect(toLoggable({ keep: 1, drop: undefined })).toEqual({ keep: 1 });
    class Sample {
      constructor(readonly id: number) {}
    }
    expect(toLoggable(new Sample(3))).toEqual({ id: 3 });
  });

  it('never throws on odd values: cycles, depth, size, invalid dates', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(toLoggable(cycle)).toEqual({ a: 1, self: '[Circular]' });
    const shared = { v: 1 };
    expect(toLoggable([shared, shared])).toEqual([{ v: 1 }, { v: 1 }]);
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: { l7: 1 } } } } } } };
    expect(JSON.stringify(toLoggable(deep))).toBe('{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":"[…]"}}}}}}');
    const long = toLoggable(Array.from({ length: 250 }, (_, i) => i)) as unknown[];
    expect(long).toHaveLength(201);
    expect(long[200]).toBe('…(50 more)');
    expect(toLoggable('x'.repeat(2500))).toBe(`${'x'.repeat(2000)}…(2500 chars)`);
    const wide = Object.fromEntries(Array.from({ length: 205 }, (_, i) => [`k${i}`, i]));
    const cut = toLoggable(wide) as Record<string, unknown>;
    expect(Object.keys(cut)).toHaveLength(201);
    expect(cut['…']).toBe('5 more keys');
    expect(toLoggable(new Date(Number.NaN))).toBe('Invalid Date');
    expect(toLoggable({ when: new Date('nope') })).toEqual({ when: 'Invalid Date' });
  });
});

describe('assertJson / cloneJson', () => {
  it('accepts JSON, including null-prototype objects', () => {
    expect(() => assertJson({ a: [1, { b: null }], c: 'x', d: false }, 'v')).not.toThrow();
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(() => assertJson(bare, 'v')).not.toThrow();
  });

  it('names the path of the first non-JSON part', () => {
    const err = (() => {
      try {
        assertJson({ rows: [{ ok: 1 }, { bad: Symbol('x') }] }, 'output reads');
      } catch (e) {
        return e as NotJsonError;
      }
    })();
    expect(err).toBeInstanceOf(NotJsonError);
    expect(err).toBeInstanceOf(TypeError);
    expect(err!.path).toBe('output reads.rows[1].bad');
    expect(err!.found).toBe('a symbol');
    expect(err!.message).toBe('output reads.rows[1].bad must be a JSON value (null, boolean, finite number, string, array or plain object); found a symbol');
    expect(() => assertJson(new Set([1]), 'v')).toThrow(/found a Set/);
  });

  it('cloneJson copies deeply', () => {
    const v = { a: [1, { b: 2 }] };
    const c = cloneJson(v);
    expect(c).toEqual(v);
    expect(c).not.toBe(v);
    expect(c.a[1]).not.toBe(v.a[1]);
    expect(cloneJson(3)).toBe(3);
    expect(cloneJson(null)).toBeNull();
  });
});
