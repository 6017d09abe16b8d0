import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { testDeck, TIP_300 } from '../../fixtures.spec-support.js';
import { setTipTracking, setVolumeTracking } from '../../tracking/config.js';
import { HasTipError, NoTipError, TooLittleLiquidError, TooLittleVolumeError } from '../../tracking/errors.js';
import { MachineNotSetUpError, type CommandEvent } from '../machine.js';
import { CapabilityError, ChannelizedError, LiquidHandlerArgumentError, LiquidHandlerError } from './errors.js';
import { LiquidHandler } from './liquid-handler.js';
import { LiquidHandlerSimulator } from './simulator.js';

async function setup(opts: ConstructorParameters<typeof LiquidHandlerSimulator>[0] = {}) {
  const d = testDeck();
  const sim = new LiquidHandlerSimulator({ numChannels: 8, ...opts });
  const lh = new LiquidHandler({ name: 'star', backend: sim, deck: d.deck });
  const events: CommandEvent[] = [];
  lh.onCommand((e) => events.push(e));
  await lh.setup();
  d.source.fill(200);
  return { ...d, sim, lh, events };
}

afterEach(() => {
  setTipTracking(true);
  setVolumeTracking(true);
});

describe('LiquidHandler: tips', () => {
  it('refuses commands before setup()', async () => {
    const d = testDeck();
    const lh = new LiquidHandler({ backend: new LiquidHandlerSimulator(), deck: d.deck });
    await expect(lh.pickUpTips([d.tips.get('A1')])).rejects.toThrow(MachineNotSetUpError);
  });

  it('picks up tips on the given channels and drops them back', async () => {
    const { lh, tips, events } = await setup();
    await lh.pickUpTips(tips.wells('A1:B1'), { useChannels: [0, 1] });
    expect(lh.channels[0].tip.getTip()).toEqual(TIP_300);
    expect(lh.channels[1].tip.origin).toBe('tips_B1');
    expect(tips.get('A1').hasTip).toBe(false);
    expect(lh.channels[0].volume.maxVolume).toBe(300);
    await lh.dropTips(tips.wells('A1:B1'));
    expect(tips.get('A1').hasTip).toBe(true);
    expect(lh.channels[0].tip.hasTip).toBe(false);
    expect(events.map((e) => e.command)).toEqual(['setup', 'pickUpTips', 'dropTips']);
    expect(events[1]).toMatchObject({ machine: 'star', args: { channels: [0, 1], resources: ['tips_A1', 'tips_B1'] }, seq: 2 });
    expect(events[1].durationMs).toBeGreaterThanOrEqual(0);
    expect(() => JSON.stringify(events)).not.toThrow();
  });

  it('checks arguments before the backend, naming channel and resource', async () => {
    const { lh, tips, source, sim } = await setup();
    sim.logCommands = true;
    await expect(lh.pickUpTips([])).rejects.toThrow(LiquidHandlerArgumentError);
    await expect(lh.pickUpTips(tips.wells('A1:B1'), { useChannels: [0] })).rejects.toThrow(/2 resources but 1 channels/);
    await expect(lh.pickUpTips([tips.get('A1')], { useChannels: [8] })).rejects.toThrow(/channel 8 does not exist/);
    await expect(lh.pickUpTips(tips.wells('A1:B1'), { useChannels: [3, 3] })).rejects.toThrow(/channel 3 is used twice/);
    await expect(lh.pickUpTips([source.get('A1') as never])).rejects.toThrow(/Well source_A1 .* not a tip spot/);
    tips.get('C1').tracker.set(null);
    await expect(lh.pickUpTips([tips.get('C1')], { useChannels: [2] })).rejects.toThrow(NoTipError);
    await expect(lh.pickUpTips([tips.get('C1')], { useChannels: [2] })).rejects.toThrow(/tips_C1/);
    await lh.pickUpTips([tips.get('D1')], { useChannels: [0] });
    await expect(lh.pickUpTips([tips.get('E1')], { useChannels: [0] })).rejects.toThrow(HasTipError);
    await expect(lh.pickUpTips([tips.get('E1')], { useChannels: [0] })).rejects.toThrow(/channel 0 already has a tip/);
    await expect(lh.dropTips([tips.get('A2')], { useChannels: [5] })).rejects.toThrow(/channel 5 has no tip/);
    // none of the refused calls reached the backend
    expect(sim.log.map((l) => l.command)).toEqual(['pickUpTips']);
    // and nothing changed for them
    expect(tips.get('E1').hasTip).toBe(true);
  });

  it('returnTips puts tips back where they came from; discardTips drops them in the trash', async () => {
    const { lh, tips, deck } = await setup();
    await lh.pickUpTips([tips.get('A3'), tips.get('B3')]);
    await lh.returnTips();
    expect(tips.get('A3').hasTip && tips.get('B3').hasTip).toBe(true);
    await lh.pickUpTips(tips.wells('A4:C4'));
    await lh.discardTips();
    expect(lh.channels.some((c) => c.hasTip)).toBe(false);
    expect(tips.wells('A4:C4').some((s) => s.hasTip)).toBe(false);
    await expect(lh.returnTips()).rejects.toThrow(/no channel holds a tip/);
    await lh.discardTips(deck.trash); // nothing held: a no-op
  });

  it('the simulator enforces channel geometry: one arm, 9 mm spacing, channel 0 at the back', async () => {
    const { lh, tips } = await setup();
    await expect(lh.pickUpTips([tips.get('A1'), tips.get('A2')])).rejects.toThrow(/different x positions/);
    await expect(lh.pickUpTips([tips.get('B1'), tips.get('A1')])).rejects.toThrow(/must be at least 9 mm in front/);
    expect(tips.get('A1').hasTip && tips.get('B1').hasTip).toBe(true);
    expect(lh.channels[0].hasTip).toBe(false);
    await lh.pickUpTips([tips.get('A1'), tips.get('C1')], { useChannels: [0, 1] }); // 18 mm apart: fine
    await lh.pickUpTips(tips.wells('A12:H12'), { useChannels: undefined }).catch((e: Error) => expect(e).toBeInstanceOf(HasTipError));
  });
});

describe('LiquidHandler: liquids', () => {
  it('aspirates and dispenses, tracking well and tip volumes', async () => {
    const { lh, tips, source, dest, events } = await setup();
    await lh.pickUpTips(tips.wells('A1:H1'));
    await lh.aspirate(source.wells('A1:H1'), [10, 20, 30, 40, 50, 60, 70, 80]);
    expect(source.get('A1').volume).toBe(190);
    expect(source.get('H1').volume).toBe(120);
    expect(lh.channels[7].volume.volume).toBe(80);
    await lh.dispense(dest.wells('A1:H1'), [10, 20, 30, 40, 50, 60, 70, 80], { flowRates: Array(8).fill(50), blowOutAirVolume: Array(8).fill(5) });
    expect(dest.get('H1').volume).toBe(80);
    expect(lh.channels[7].volume.volume).toBe(0);
    const asp = events.find((e) => e.command === 'aspirate')!;
    expect(asp.args).toEqual({ channels: [0, 1, 2, 3, 4, 5, 6, 7], resources: source.wells('A1:H1').map((w) => w.name), volumes: [10, 20, 30, 40, 50, 60, 70, 80] });
  });

  it('refuses bad volumes, missing tips, too little liquid and over-capacity before the backend', async () => {
    const { lh, tips, source, dest, sim } = await setup();
    sim.logCommands = true;
    await expect(lh.aspirate([source.get('A1')], [10])).rejects.toThrow(/channel 0 has no tip \(source_A1\)/);
    await lh.pickUpTips([tips.get('A1')]);
    await expect(lh.aspirate([source.get('A1')], [0])).rejects.toThrow(/volume for channel 0 \(source_A1\) must be a positive number/);
    await expect(lh.aspirate([source.get('A1')], [-5])).rejects.toThrow(LiquidHandlerArgumentError);
    await expect(lh.aspirate([source.get('A1')], [Number.NaN])).rejects.toThrow(LiquidHandlerArgumentError);
    await expect(lh.aspirate([source.get('A1')], [10, 10])).rejects.toThrow(/1 resources but 2 volumes/);
    await expect(lh.aspirate([source.get('A1')], [10], { flowRates: [0] })).rejects.toThrow(/flow rate/);
    await expect(lh.aspirate([source.get('A1')], [10], { mix: [{ volume: 10, repetitions: 0 }] })).rejects.toThrow(/repetitions/);
    await expect(lh.aspirate([source.get('A1')], [201])).rejects.toThrow(TooLittleLiquidError);
    await expect(lh.aspirate([source.get('A1')], [201])).rejects.toThrow(/source_A1/);
    source.get('A2').setVolume(360);
    await lh.aspirate([source.get('A2')], [250]);
    await expect(lh.aspirate([source.get('A2')], [60])).rejects.toThrow(TooLittleVolumeError); // 310 > 300 µL tip
    await expect(lh.aspirate([source.get('A2')], [60])).rejects.toThrow(/channel 0 tip/);
    dest.get('A1').setVolume(300);
    await expect(lh.dispense([dest.get('A1')], [100])).rejects.toThrow(/dest_A1: cannot add 100 µL, only 60 µL of room/);
    await expect(lh.dispense([dest.get('A2')], [251])).rejects.toThrow(TooLittleLiquidError);
    expect(sim.log.map((l) => l.command)).toEqual(['pickUpTips', 'aspirate']);
    expect(source.get('A1').volume).toBe(200);
    expect(lh.channels[0].volume.volume).toBe(250);
  });

  it('transfer: one aspiration, a dispense per target', async () => {
    const { lh, tips, source, dest } = await setup();
    await lh.pickUpTips([tips.get('A1')]);
    await lh.transfer(source.get('A1'), dest.wells('A1:C1'), { targetVolumes: [10, 20, 30] });
    expect(source.get('A1').volume).toBe(140);
    expect(dest.wells('A1:C1').map((w) => w.volume)).toEqual([10, 20, 30]);
    await lh.transfer(source.get('A1'), dest.wells('A2:B2'), { sourceVolume: 90, ratios: [2, 1] });
    expect(dest.get('A2').volume).toBeCloseTo(60);
    expect(dest.get('B2').volume).toBeCloseTo(30);
    await expect(lh.transfer(source.get('A1'), [dest.get('A3')], {})).rejects.toThrow(/targetVolumes, or sourceVolume/);
    await expect(lh.transfer(source.get('A1'), [dest.get('A3')], { targetVolumes: [1, 2] })).rejects.toThrow(/1 targets but 2 targetVolumes/);
  });

  it("recordLiquids: liquid loaded by hand is in the trackers, the log, and the simulator's own account", async () => {
    const { lh, tips, source, dest, events } = await setup();
    await lh.pickUpTips([tips.get('A1')]);
    await lh.aspirate([source.get('A1')], [20]);
    await lh.dispense([dest.get('A1')], [20]);
    // The simulator has now seen 20 µL in dest A1; the operator tops it up to 150 µL by hand.
    await lh.recordLiquids([dest.get('A1'), dest.get('B1')], [150, 80]);
    expect([dest.get('A1').volume, dest.get('B1').volume]).toEqual([150, 80]);
    expect(events.at(-1)).toMatchObject({ command: 'recordLiquids', args: { resources: ['dest_A1', 'dest_B1'], volumes: [150, 80] } });
    await lh.aspirate([dest.get('A1')], [140]);
    expect(dest.get('A1').volume).toBeCloseTo(10);
    await expect(lh.recordLiquids([dest.get('A2')], [])).rejects.toThrow(/1 containers but 0 volumes/);
    await expect(lh.recordLiquids([dest.get('A2')], [-1])).rejects.toThrow(/volume for dest_A2 must be a non-negative number/);
    await expect(lh.recordLiquids([dest.get('A2')], [1000])).rejects.toThrow(/dest_A2 holds at most 360 µL, not 1000 µL/);
    await expect(lh.recordLiquids([tips.get('B1') as never], [10])).rejects.toThrow(/item 0 is not a container/);
    expect(dest.get('A2').volume).toBe(0);
  });

  it('volume tracking off: liquid is not checked, tips still are', async () => {
    const { lh, tips, source } = await setup();
    setVolumeTracking(false);
    await lh.pickUpTips([tips.get('A1')]);
    source.get('A1').tracker.disable();
    await expect(lh.aspirate([source.get('A1')], [250])).resolves.toBeUndefined();
  });
});

describe('LiquidHandler: partial failures commit the channels that succeeded (PyLabRobot #309)', () => {
  it('pickUpTips failing on one channel: the other channel keeps its tip, the failed spot keeps its tip', async () => {
    const { lh, tips, sim, events } = await setup();
    sim.failNext('pickUpTips', { channels: [1], error: new NoTipError('no tip seen by the sensor') });
    const err = await lh.pickUpTips(tips.wells('A1:C1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelizedError);
    expect((err as ChannelizedError).channels).toEqual([1]);
    expect((err as Error).message).toMatch(/channel 1/);
    // channels 0 and 2 succeeded: committed
    expect(lh.channels[0].tip.hasTip).toBe(true);
    expect(lh.channels[2].tip.hasTip).toBe(true);
    expect(tips.get('A1').hasTip).toBe(false);
    expect(tips.get('C1').hasTip).toBe(false);
    // channel 1 failed: rolled back
    expect(lh.channels[1].tip.hasTip).toBe(false);
    expect(tips.get('B1').hasTip).toBe(true);
    expect(events.at(-1)).toMatchObject({ command: 'pickUpTips', error: { name: 'ChannelizedError', channels: [1] } });
    // and the state is consistent with the simulator's: retrying channel 1 alone works
    await lh.pickUpTips([tips.get('B1')], { useChannels: [1] });
    expect(sim.channelState(1).tip).not.toBeNull();
  });

  it('aspirate failing on one channel from a shared trough: only the successful volumes leave it', async () => {
    const { lh, tips, res, sim } = await setup();
    res.setVolume(1000);
    await lh.pickUpTips(tips.wells('A1:B1'));
    sim.failNext('aspirate', { channels: [0], error: new TooLittleLiquidError('clot detected') });
    // both channels in the trough (same x, 9 mm apart)
    const a = res.getAbsoluteLocation('c', 'c', 'b');
    await expect(
      lh.aspirate([res, res], [100, 50], { offsets: [{ x: 0, y: 4.5, z: 0 }, { x: 0, y: -4.5, z: 0 }] }),
    ).rejects.toThrow(ChannelizedError);
    expect(a).toBeDefined();
    expect(res.volume).toBe(950);
    expect(lh.channels[0].volume.volume).toBe(0);
    expect(lh.channels[1].volume.volume).toBe(50);
  });

  it('a physical rule broken on one channel in the simulator is reported per channel', async () => {
    const { lh, tips, source, sim } = await setup();
    await lh.pickUpTips(tips.wells('A1:B1'));
    // the front end believes B1 has 200 µL; the simulator learned otherwise (someone took liquid by hand)
    source.get('B1').tracker.disable();
    await lh.aspirate([source.get('B1')], [1], { useChannels: [1] }).catch(() => undefined);
    (sim as unknown as { liquid: Map<unknown, number> }).liquid.set(source.get('B1'), 5);
    source.get('B1').tracker.followDefault();
    const before1 = lh.channels[1].volume.volume;
    const err = (await lh.aspirate(source.wells('A1:B1'), [50, 50]).catch((e: unknown) => e)) as ChannelizedError;
    expect(err).toBeInstanceOf(ChannelizedError);
    expect(err.errors.get(1)).toBeInstanceOf(TooLittleLiquidError);
    expect(source.get('A1').volume).toBe(150);
    expect(lh.channels[0].volume.volume).toBe(50);
    expect(lh.channels[1].volume.volume).toBe(before1);
    expect(source.get('B1').volume).toBe(200);
  });

  it('a whole-command failure rolls everything back', async () => {
    const { lh, tips, sim } = await setup();
    sim.failNext('pickUpTips', { error: new LiquidHandlerError('firmware timeout') });
    await expect(lh.pickUpTips(tips.wells('A1:B1'))).rejects.toThrow(/firmware timeout/);
    expect(lh.channels.some((c) => c.hasTip)).toBe(false);
    expect(tips.tipCount).toBe(96);
  });

  it('dropTips failing on one channel: that channel keeps its tip', async () => {
    const { lh, tips, sim } = await setup();
    await lh.pickUpTips(tips.wells('A1:B1'));
    sim.failNext('dropTips', { channels: [0], error: new HasTipError('tip stuck') });
    await expect(lh.dropTips(tips.wells('A1:B1'))).rejects.toThrow(ChannelizedError);
    expect(lh.channels[0].hasTip).toBe(true);
    expect(tips.get('A1').hasTip).toBe(false);
    expect(lh.channels[1].hasTip).toBe(false);
    expect(tips.get('B1').hasTip).toBe(true);
  });
});

describe('LiquidHandler: 96-head', () => {
  it('picks up a rack, stamps a plate, drops the tips back', async () => {
    const { lh, tips2, source, dest, res } = await setup();
    await lh.pickUpTips96(tips2);
    expect(tips2.tipCount).toBe(0);
    expect(lh.head96.every((c) => c.hasTip)).toBe(true);
    await lh.stamp(source, dest, 25);
    expect(source.wells().every((w) => w.volume === 175)).toBe(true);
    expect(dest.wells().every((w) => w.volume === 25)).toBe(true);
    res.setVolume(50_000);
    await lh.aspirate96(res, 100);
    expect(res.volume).toBe(50_000 - 9600);
    await lh.dispense96(dest, 100);
    expect(dest.get('H12').volume).toBe(125);
    await expect(lh.dispense96(dest, 1)).rejects.toThrow(TooLittleLiquidError);
    await lh.dropTips96(tips2);
    expect(tips2.tipCount).toBe(96);
  });

  it('checks capability and arguments', async () => {
    const noHead = await setup({ has96Head: false });
    await expect(noHead.lh.pickUpTips96(noHead.tips)).rejects.toThrow(CapabilityError);
    const { lh, tips, source } = await setup();
    await expect(lh.aspirate96(source, 10)).rejects.toThrow(/96-head channel 0 has no tip/);
    tips.get('D5').tracker.set(null);
    await expect(lh.pickUpTips96(tips)).rejects.toThrow(/tips_D5 has no tip/);
    expect(tips.tipCount).toBe(95);
    expect(lh.head96.some((c) => c.hasTip)).toBe(false);
    await expect(lh.aspirate96(source, -1)).rejects.toThrow(LiquidHandlerArgumentError);
  });
});

describe('LiquidHandler: gripper', () => {
  it('moves a plate to a free site and the layout follows', async () => {
    const { lh, dest, freeSite, deck, pc } = await setup();
    await lh.movePlate(dest, freeSite);
    expect(freeSite.resource).toBe(dest);
    expect(pc.site(1).resource).toBeNull();
    expect(deck.getResource('dest_A1').getAbsoluteLocation().y).toBeGreaterThan(pc.site(1).getAbsoluteLocation().y);
  });

  it('moves a lid from its plate to a site and back', async () => {
    const { lh, source, lastSite } = await setup();
    const lid = source.lid!;
    await lh.moveLid(lid, lastSite);
    expect(source.lid).toBeNull();
    expect(lastSite.resource).toBe(lid);
    await lh.moveLid(lid, source);
    expect(source.lid).toBe(lid);
  });

  it('refuses occupied destinations before gripping, and a second grip', async () => {
    const { lh, dest, source, pc, sim } = await setup();
    sim.logCommands = true;
    await expect(lh.movePlate(dest, pc.site(0))).rejects.toThrow(/already holds source/);
    expect(sim.log).toEqual([]);
    await lh.pickUpResource(dest);
    await expect(lh.pickUpResource(source)).rejects.toThrow(/already holds dest/);
    await lh.dropResource(pc.site(2));
    await expect(lh.dropResource(pc.site(4))).rejects.toThrow(/holds nothing/);
    await expect(lh.moveLid(source as never, pc.site(4))).rejects.toThrow(/not a lid/);
    const noGrip = await setup({ hasGripper: false });
    await expect(noGrip.lh.movePlate(noGrip.dest, noGrip.freeSite)).rejects.toThrow(CapabilityError);
  });
});

describe('simulator time model', () => {
  beforeEach(() => undefined);
  it('estimates each command and reports it in the event', async () => {
    const { lh, tips, source, events } = await setup({ timeModel: true });
    await lh.pickUpTips([tips.get('A1')]);
    await lh.aspirate([source.get('A1')], [100], { flowRates: [50] });
    const asp = events.find((e) => e.command === 'aspirate')!;
    // travel from the tip spot to the well at 400 mm/s, 1.5 s fixed, 100 µL at 50 µL/s
    const from = tips.get('A1').getAbsoluteLocation('c', 'c', 'b');
    const to = source.get('A1').getAbsoluteLocation('c', 'c', 'b');
    expect(asp.estimatedS).toBeCloseTo(Math.hypot(to.x - from.x, to.y - from.y) / 400 + 1.5 + 2, 6);
    expect(events.find((e) => e.command === 'pickUpTips')!.estimatedS).toBeGreaterThan(3.5);
    const { events: plain, lh: lh2, tips: t2 } = await setup();
    await lh2.pickUpTips([t2.get('A1')]);
    expect(plain.at(-1)!.estimatedS).toBeUndefined();
  });
});

describe('simulator in real time', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('realTimeSpeed: a command takes its modelled time, sped up', async () => {
    const { lh, tips, events } = await setup({ timeModel: true, realTimeSpeed: 10 });
    jest.useFakeTimers();
    let done = false;
    const pickUp = lh.pickUpTips([tips.get('A1')]).then(() => (done = true));
    // Picking up a tip is modelled at 3.5 s plus travel: at least 350 ms at 10x.
    await jest.advanceTimersByTimeAsync(340);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(10_000);
    await pickUp;
    expect(done).toBe(true);
    expect(events.at(-1)!.estimatedS).toBeGreaterThan(3.5);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new LiquidHandlerSimulator({ timeModel: true, realTimeSpeed: 0 })).toThrow(/realTimeSpeed must be > 0/);
  });
});

describe('head state snapshots', () => {
  it('round-trips channels tips and volumes', async () => {
    const { lh, tips, source, deck } = await setup();
    await lh.pickUpTips([tips.get('A1')]);
    await lh.aspirate([source.get('A1')], [42]);
    const snap = JSON.parse(JSON.stringify(lh.serializeHeadState()));
    const other = new LiquidHandler({ backend: new LiquidHandlerSimulator(), deck });
    other.loadHeadState(snap);
    expect(other.channels[0].tip.origin).toBe('tips_A1');
    expect(other.channels[0].volume.volume).toBe(42);
    expect(other.serializeHeadState()).toEqual(snap);
  });
});
