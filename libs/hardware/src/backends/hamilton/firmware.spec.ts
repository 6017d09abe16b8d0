import { describe, expect, it } from '@jest/globals';
import { ChannelizedError } from '../../machines/liquid-handler/errors.js';
import { HasTipError, NoTipError, TooLittleLiquidError, TooLittleVolumeError } from '../../tracking/errors.js';
import {
  aspirate96Params,
  aspirateParams,
  defineTipParams,
  dispense96Params,
  dispenseParams,
  dropTips96Params,
  dropTipParams,
  iswapGetParams,
  iswapMoveParams,
  iswapPutParams,
  pickUpTips96Params,
  pickUpTipParams,
} from './commands.js';
import { assembleCommand, channelLayout, decodeErrors, errorForReply, pad, parseReply, perChannel, replyId, StarFirmwareError } from './firmware.js';

// Golden strings: the firmware commands PyLabRobot's STAR tests expect for the same raw values.
describe('STAR firmware: command assembly', () => {
  it('pads fixed widths and refuses values that do not fit', () => {
    expect(pad(12, 4)).toBe('0012');
    expect(pad(-5, 3)).toBe('-05');
    expect(() => pad(12345, 4)).toThrow(RangeError);
  });

  it('assembles module, command, id, parameters; lists closed with & when shorter than the channel count', () => {
    expect(assembleCommand('C0', 'QM', 1111, [], 8)).toBe('C0QMid1111');
    expect(assembleCommand('C0', 'XX', 7, [['ab', ['1', '2']], ['cd', true], ['ef', 3]], 8)).toBe('C0XXid0007ab1 2&cd1ef3');
    expect(assembleCommand('C0', 'XX', 7, [['ab', ['1', '2']]], 2)).toBe('C0XXid0007ab1 2');
    expect(() => assembleCommand('C0', 'XX', 1, [['abc', 1]], 8)).toThrow(/2 characters/);
  });

  it('lays channels out with a trailing unused entry', () => {
    const l = channelLayout([4, 5], 8);
    expect(l.pattern).toEqual([false, false, false, false, true, true, false]);
    expect(perChannel(l, [1179, 1179], 0)).toEqual([0, 0, 0, 0, 1179, 1179, 0]);
    expect(channelLayout([0, 1, 2, 3, 4, 5, 6, 7], 8).pattern).toHaveLength(8);
    expect(() => channelLayout([8], 8)).toThrow(/does not exist/);
  });

  it('C0TT tip definition', () => {
    expect(assembleCommand('C0', 'TT', 1, defineTipParams({ index: 1, hasFilter: true, length: 519, maxVolume: 3600, size: 2, pickupMethod: 0 }), 8)).toBe(
      'C0TTid0001tt01tf1tl0519tv03600tg2tu0',
    );
  });

  it('C0TP tip pick-up and C0TR tip drop', () => {
    const l = channelLayout([0, 1], 8);
    expect(
      assembleCommand('C0', 'TP', 2, pickUpTipParams({ x: perChannel(l, [1179, 1179], 0), y: perChannel(l, [2418, 2328], 0), pattern: l.pattern, tipType: 1, begin: 2244, end: 2164, traverseHeight: 2450, pickupMethod: 0 }), 8),
    ).toBe('C0TPid0002xp01179 01179 00000&yp2418 2328 0000&tm1 1 0&tt01tp2244tz2164th2450td0');
    const d = channelLayout([4, 5], 8);
    expect(
      assembleCommand('C0', 'TR', 3, dropTipParams({ x: perChannel(d, [1179, 1179], 0), y: perChannel(d, [2058, 1968], 0), pattern: d.pattern, begin: 2244, end: 2164, traverseHeight: 2450, endHeight: 2450, method: 1 }), 8),
    ).toBe('C0TRid0003xp00000 00000 00000 00000 01179 01179 00000&yp0000 0000 0000 0000 2058 1968 0000&tm0 0 0 0 1 1 0&tp2244tz2164th2450te2450ti1');
  });

  it('C0AS aspiration and C0DS dispense', () => {
    const l = channelLayout([0], 8);
    const one = (v: number) => perChannel(l, [v]);
    const as = aspirateParams({
      pattern: l.pattern, x: perChannel(l, [2983], 0), y: perChannel(l, [1457], 0), traverseHeight: 2450, endHeight: 2450,
      lldSearchHeight: one(2000), clotDetectionHeight: one(0), liquidSurface: one(1866), pullOutDistance: one(100), secondSectionHeight: one(32),
      secondSectionRatio: one(6180), minimumHeight: one(1866), immersionDepth: one(0), surfaceFollowing: one(0), volume: one(1072), flowRate: one(1000),
      transportAir: one(0), blowOutAir: one(0), preWetting: one(0), lldMode: one(0), swapSpeed: one(20), settlingTime: one(10), mixVolume: one(0),
      mixCycles: one(0), mixPosition: one(0), mixFlowRate: one(1000),
    });
    expect(assembleCommand('C0', 'AS', 1, as, 8)).toBe(
      'C0ASid0001at0 0&tm1 0&xp02983 00000&yp1457 0000&th2450te2450lp2000 2000&ch000 000&zl1866 ' +
        '1866&po0100 0100&zu0032 0032&zr06180 06180&zx1866 1866&ip0000 0000&it0 0&fp0000 0000&' +
        'av01072 01072&as1000 1000&ta000 000&ba0000 0000&oa000 000&lm0 0&ll1 1&lv1 1&zo000 000&' +
        'ld00 00&de0020 0020&wt10 10&mv00000 00000&mc00 00&mp000 000&ms1000 1000&mh0000 0000&' +
        'gi000 000&gj0gk0lk0 0&ik0000 0000&sd0500 0500&se0500 0500&sz0300 0300&io0000 0000&',
    );
    const ds = dispenseParams({
      mode: one(1), pattern: l.pattern, x: perChannel(l, [2983], 0), y: perChannel(l, [1457], 0), minimumHeight: one(1866), lldSearchHeight: one(2000),
      liquidSurface: one(1866), pullOutDistance: one(100), immersionDepth: one(0), surfaceFollowing: one(0), secondSectionHeight: one(32),
      secondSectionRatio: one(6180), traverseHeight: 2450, endHeight: 2450, volume: one(1072), flowRate: one(1800), cutOffSpeed: one(50),
      stopBackVolume: one(0), transportAir: one(50), blowOutAir: one(300), lldMode: one(0), swapSpeed: one(10), settlingTime: one(0),
      mixVolume: one(0), mixCycles: one(0), mixPosition: one(0), mixFlowRate: one(10),
    });
    expect(assembleCommand('C0', 'DS', 1, ds, 8)).toBe(
      'C0DSid0001dm1 1&tm1 0&xp02983 00000&yp1457 0000&zx1866 1866&lp2000 2000&zl1866 1866&po0100 0100&ip0000 0000&it0 0&fp0000 0000&zu0032 0032&zr06180 06180&th2450te2450dv01072 01072&ds1800 1800&ss0050 0050&rv000 000&ta050 050&ba0300 0300&lm0 0&dj00zo000 000&ll1 1&lv1 1&de0010 0010&wt00 00&mv00000 00000&mc00 00&mp000 000&ms0010 0010&mh0000 0000&gi000 000&gj0gk0',
    );
  });

  it('C0EP / C0ER / C0EA / C0ED 96-head', () => {
    expect(assembleCommand('C0', 'EP', 3, pickUpTips96Params({ x: 1179, y: 2418, tipType: 1, pickupMethod: 0, z: 2164, traverseHeight: 2450, endHeight: 2450 }), 8)).toBe(
      'C0EPid0003xs01179xd0yh2418tt01wu0za2164zh2450ze2450',
    );
    expect(assembleCommand('C0', 'ER', 4, dropTips96Params({ x: 1179, y: 2418, z: 2164, traverseHeight: 2450, endHeight: 2450 }), 8)).toBe('C0ERid0004xs01179xd0yh2418za2164zh2450ze2450');
    const base = {
      x: 2983, y: 1457, traverseHeight: 2450, endHeight: 2450, lldSearchHeight: 1999, liquidSurface: 1866, pullOutDistance: 100, minimumHeight: 1866,
      secondSectionHeight: 32, secondSectionRatio: 6180, immersionDepth: 0, surfaceFollowing: 0, transportAir: 50, blowOutAir: 0, preWetting: 50,
      cutOffSpeed: 50, stopBackVolume: 0, lldMode: 0, swapSpeed: 20, mixVolume: 0, mixCycles: 0, mixPosition: 0, mixFlowRate: 1200, channels: new Array<boolean>(96).fill(true),
    };
    expect(assembleCommand('C0', 'EA', 4, aspirate96Params({ ...base, mode: 0, volume: 1083, flowRate: 2500, settlingTime: 10 }), 8)).toBe(
      'C0EAid0004aa0xs02983xd0yh1457zh2450ze2450lz1999zt1866pp0100zm1866zv0032zq06180iw000ix0fh000af01083ag2500vt050bv00000wv00050cm0cs1bs0020wh10hv00000hc00hp000mj000hs1200cwFFFFFFFFFFFFFFFFFFFFFFFFcr000cj0cx0',
    );
    expect(assembleCommand('C0', 'ED', 5, dispense96Params({ ...base, mode: 3, volume: 1083, flowRate: 1200, settlingTime: 0 }), 8)).toBe(
      'C0EDid0005da3xs02983xd0yh1457zm1866zv0032zq06180lz1999zt1866pp0100iw000ix0fh000zh2450ze2450df01083dg1200es0050ev000vt050bv00000cm0cs1ej00bs0020wh00hv00000hc00hp000mj000hs1200cwFFFFFFFFFFFFFFFFFFFFFFFFcr000cj0cx0',
    );
  });

  it('C0PP / C0PR / C0PM iSWAP', () => {
    expect(assembleCommand('C0', 'PP', 1, iswapGetParams({ x: 3479, y: 1142, z: 1874, direction: 1, traverseHeight: 2800, endHeight: 2800, gripStrength: 4, openWidth: 1308, plateWidth: 1245, plateWidthTolerance: 20 }), 8)).toBe(
      'C0PPid0001xs03479xd0yj1142yd0zj1874zd0gr1th2800te2800gw4go1308gb1245gt20ga0gc0',
    );
    expect(assembleCommand('C0', 'PR', 2, iswapPutParams({ x: 3479, y: 3062, z: 1874, direction: 1, traverseHeight: 2800, endHeight: 2800, openWidth: 1308 }), 8)).toBe(
      'C0PRid0002xs03479xd0yj3062yd0zj1874zd0th2800te2800gr1go1308ga0gc0',
    );
    expect(assembleCommand('C0', 'PM', 2, iswapMoveParams({ x: 3979, y: 3062, z: 2405, direction: 1, traverseHeight: 2800 }), 8)).toBe('C0PMid0002xs03979xd0yj3062yd0zj2405zd0gr1th2800ga1xe4 1');
  });
});

describe('STAR firmware: replies', () => {
  it('finds the id', () => {
    expect(replyId('C0TPid0012er00/00')).toBe(12);
    expect(replyId('C0QM er00/00')).toBeNull();
  });

  it('parses fields by format: decimal, hex, characters, lists', () => {
    expect(parseReply('C0QMid1112aaabc', 'aa&&&')).toEqual({ id: 1112, aa: 'abc' });
    expect(parseReply('C0QMid1112aa-21', 'aa##')).toEqual({ id: 1112, aa: -21 });
    expect(parseReply('C0QMid1113pqABC', 'pq***')).toEqual({ id: 1113, pq: 0xabc });
    expect(parseReply('C0RMid0001er00/00kb06kp08', 'kb**kp##')).toEqual({ id: 1, kb: 6, kp: 8 });
    expect(parseReply('C0RTid0004er00/00rt0 1 0 0', 'rt# (n)')).toEqual({ id: 4, rt: [0, 1, 0, 0] });
    expect(() => parseReply('C0RMid0001er00/00', 'kp##')).toThrow(/no field kp/);
  });
});

describe('STAR firmware: errors', () => {
  it('decodes master and module entries, leaving out zeros and the slave-error marker', () => {
    expect(decodeErrors('C0QMid1111 er00/00')).toEqual([]);
    expect(decodeErrors('C0QMid1111 er00/00 P100/00')).toEqual([]);
    expect(decodeErrors('C0QMid1111 er01/30')).toEqual([{ module: 'C0', code: 1, trace: 30, description: 'Command syntax error: Unknown command' }]);
    const e = decodeErrors('C0QMid1111 er99/00 P100/00 P235/00 P402/98 PG08/76');
    expect(e.map((x) => [x.module, x.code, x.trace])).toEqual([
      ['P2', 35, 0],
      ['P4', 2, 98],
      ['PG', 8, 76],
    ]);
    expect(decodeErrors('R0QWid0003er00qw1')).toEqual([]);
    expect(decodeErrors('R0PPid0003er94')[0]).toMatchObject({ module: 'R0', code: null, trace: 94, description: 'Plate not found' });
  });

  it('maps per-channel errors to tracker errors in a ChannelizedError', () => {
    const err = errorForReply('C0ASid0005er99/00 P107/76 P308/75 P417/70 P506/53 P602/81 P717/71');
    expect(err).toBeInstanceOf(ChannelizedError);
    const m = (err as ChannelizedError).errors;
    expect(m.get(0)).toBeInstanceOf(HasTipError);
    expect(m.get(2)).toBeInstanceOf(NoTipError);
    expect(m.get(3)).toBeInstanceOf(TooLittleLiquidError);
    expect(m.get(4)).toBeInstanceOf(TooLittleVolumeError);
    expect(m.get(6)).toBeInstanceOf(TooLittleLiquidError);
    expect(m.get(5)).toBeInstanceOf(StarFirmwareError);
    expect((m.get(5) as StarFirmwareError).description).toBe('Hardware error: Clot detected');
    expect((err as ChannelizedError).channels).toEqual([0, 2, 3, 4, 5, 6]);
  });

  it('other errors become a StarFirmwareError with module, code and description', () => {
    const master = errorForReply('C0TPid0001er01/32') as StarFirmwareError;
    expect(master).toBeInstanceOf(StarFirmwareError);
    expect([master.module, master.code, master.trace, master.description]).toEqual(['C0', 1, 32, 'Command syntax error: Parameter out of range']);
    const head = errorForReply('C0EPid0001er99/00 H007/76') as StarFirmwareError;
    expect([head.module, head.code, head.trace]).toEqual(['H0', 7, 76]);
    expect(head.message).toMatch(/CoRe 96 Head/);
    const mixed = errorForReply('C0ASid0001er99/00 P108/75 X052/00') as StarFirmwareError;
    expect(mixed).toBeInstanceOf(StarFirmwareError);
    expect(mixed.entries).toHaveLength(2);
    expect(errorForReply('C0ASid0001er00/00')).toBeNull();
  });
});
