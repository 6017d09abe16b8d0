import { afterEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TIP_300 } from '../fixtures.spec-support.js';
import { setTipTracking, setVolumeTracking, tracking } from './config.js';
import { HasTipError, NoTipError, TooLittleLiquidError, TooLittleVolumeError } from './errors.js';
import { TipTracker } from './tip-tracker.js';
import { VolumeTracker } from './volume-tracker.js';

afterEach(() => {
  setTipTracking(true);
  setVolumeTracking(true);
});

describe('VolumeTracker', () => {
  it('is transactional: pending until commit, undone by rollback', () => {
    const t = new VolumeTracker('well A1', 300, 100);
    t.removeLiquid(30);
    expect(t.volume).toBe(100);
    expect(t.pendingVolume).toBe(70);
    t.rollback();
    expect(t.pendingVolume).toBe(100);
    t.addLiquid(50);
    t.commit();
    expect(t.volume).toBe(150);
  });

  it('raises TooLittleLiquid and TooLittleVolume naming the owner, and leaves state unchanged', () => {
    const t = new VolumeTracker('plate_A1', 300, 100);
    expect(() => t.removeLiquid(101)).toThrow(TooLittleLiquidError);
    expect(() => t.removeLiquid(101)).toThrow(/plate_A1/);
    expect(() => t.addLiquid(201)).toThrow(TooLittleVolumeError);
    expect(t.pendingVolume).toBe(100);
  });

  it('can be switched off globally and per tracker', () => {
    const t = new VolumeTracker('w', 10, 0);
    setVolumeTracking(false);
    expect(() => t.removeLiquid(5)).not.toThrow();
    setVolumeTracking(true);
    t.disable();
    expect(t.enabled).toBe(false);
    t.removeLiquid(5);
    t.followDefault();
    expect(() => t.removeLiquid(5)).toThrow(TooLittleLiquidError);
    expect(tracking.volumes).toBe(true);
  });

  it('matches a model over random operation sequences', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), v: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('remove' as const), v: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('commit' as const) }),
      fc.record({ kind: fc.constant('rollback' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(op, { maxLength: 40 }), (start, ops) => {
        const t = new VolumeTracker('w', 300, start);
        let committed = start;
        let pending = start;
        for (const o of ops) {
          if (o.kind === 'add') {
            if (pending + o.v > 300) expect(() => t.addLiquid(o.v)).toThrow(TooLittleVolumeError);
            else (t.addLiquid(o.v), (pending += o.v));
          } else if (o.kind === 'remove') {
            if (o.v > pending) expect(() => t.removeLiquid(o.v)).toThrow(TooLittleLiquidError);
            else (t.removeLiquid(o.v), (pending -= o.v));
          } else if (o.kind === 'commit') (t.commit(), (committed = pending));
          else (t.rollback(), (pending = committed));
          expect(t.volume).toBe(committed);
          expect(t.pendingVolume).toBe(pending);
        }
      }),
    );
  });
});

describe('TipTracker', () => {
  it('tracks a tip transactionally and remembers its origin', () => {
    const ch = new TipTracker('channel 0');
    ch.addTip(TIP_300, 'tips_A1');
    expect(ch.hasTip).toBe(false);
    expect(ch.pendingHasTip).toBe(true);
    ch.commit();
    expect(ch.getTip()).toEqual(TIP_300);
    expect(ch.origin).toBe('tips_A1');
    ch.removeTip();
    ch.rollback();
    expect(ch.hasTip).toBe(true);
  });

  it('HasTipError / NoTipError name the owner', () => {
    const ch = new TipTracker('channel 3');
    expect(() => ch.removeTip()).toThrow(NoTipError);
    expect(() => ch.removeTip()).toThrow(/channel 3/);
    ch.set(TIP_300);
    expect(() => ch.addTip(TIP_300)).toThrow(HasTipError);
    expect(() => new TipTracker('x').getTip()).toThrow(NoTipError);
  });

  it('with tracking off, no errors are raised', () => {
    setTipTracking(false);
    const ch = new TipTracker('c');
    expect(() => ch.removeTip()).not.toThrow();
    ch.addTip(TIP_300);
    expect(() => ch.addTip(TIP_300)).not.toThrow();
  });

  it('serializes and loads its state', () => {
    const a = new TipTracker('a');
    a.set(TIP_300, 'tips_C4');
    const b = new TipTracker('b');
    b.load(a.serialize());
    expect(b.serialize()).toEqual(a.serialize());
  });
});
