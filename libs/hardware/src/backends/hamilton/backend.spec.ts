import { afterEach, describe, expect, it } from '@jest/globals';
import { testDeck } from '../../fixtures.spec-support.js';
import { ChannelizedError } from '../../machines/liquid-handler/errors.js';
import { LiquidHandler } from '../../machines/liquid-handler/liquid-handler.js';
import { HasTipError, NoTipError, TooLittleLiquidError } from '../../tracking/errors.js';
import { createStarBackend, StarBackend } from './backend.js';
import { StarFirmwareError, StarTimeoutError } from './firmware.js';
import { StarFirmwareSimulator } from './simulator.js';
import { createTransportPair } from './transport.js';

const open: LiquidHandler[] = [];

async function setup(opts: { readTimeoutMs?: number; numChannels?: number } = {}) {
  const d = testDeck();
  const [host, device] = createTransportPair();
  const sim = new StarFirmwareSimulator(device, { numChannels: opts.numChannels ?? 8 });
  await sim.start();
  const dropped: string[] = [];
  const backend = createStarBackend({ numChannels: opts.numChannels ?? 8, readTimeoutMs: opts.readTimeoutMs ?? 2000, onDroppedReply: (r) => dropped.push(r) }, host);
  const lh = new LiquidHandler({ name: 'star', backend, deck: d.deck });
  await lh.setup();
  open.push(lh);
  d.source.fill(200);
  d.res.tracker.setVolume(50_000);
  return { ...d, sim, lh, backend, dropped };
}

afterEach(async () => {
  for (const lh of open.splice(0)) await lh.stop();
});

const sent = (sim: StarFirmwareSimulator) => sim.history.map((c) => c.module + c.command);

describe('StarBackend against the firmware simulator', () => {
  it('sets up: configuration, initialization, channel count', async () => {
    const { sim, backend } = await setup();
    expect(sent(sim)).toEqual(['C0RM', 'C0QM', 'C0QW', 'C0VI', 'C0RT', 'C0DI', 'R0QW', 'C0FI', 'H0QW', 'C0EI']);
    expect(backend.numChannels).toBe(8);
    expect(backend.has96Head).toBe(true);
    expect(backend.hasGripper).toBe(true);
    expect(sim.initialized && sim.iswapInitialized && sim.head96Initialized).toBe(true);
  });

  it('fails setup when the machine has another channel count', async () => {
    const [host, device] = createTransportPair();
    await new StarFirmwareSimulator(device, { numChannels: 4 }).start();
    const backend = new StarBackend(host, { numChannels: 8, readTimeoutMs: 500 });
    await expect(backend.setup()).rejects.toThrow(/reports 4 pipetting channels/);
  });

  it('turns off the 96-head and gripper the machine lacks', async () => {
    const [host, device] = createTransportPair();
    await new StarFirmwareSimulator(device, { has96Head: false, hasIswap: false }).start();
    const backend = new StarBackend(host, { readTimeoutMs: 500 });
    await backend.setup();
    expect([backend.has96Head, backend.hasGripper]).toEqual([false, false]);
    await backend.stop();
  });

  it('picks up, aspirates, dispenses and drops tips with positions from the ops', async () => {
    const { sim, lh, tips, source, dest } = await setup();
    await lh.pickUpTips(tips.wells('A1:B1'), { useChannels: [0, 1] });
    const tt = sim.history.find((c) => c.command === 'TT')!;
    expect(tt.params.get('tv')).toBe('03000');
    const tp = sim.history.at(-1)!;
    expect(tp.command).toBe('TP');
    const a1 = tips.get('A1').getAbsoluteLocation('c', 'c', 'b');
    expect(tp.params.get('xp')).toBe(`${String(Math.round(a1.x * 10)).padStart(5, '0')} ${String(Math.round(a1.x * 10)).padStart(5, '0')} 00000&`);
    expect(tp.params.get('tm')).toBe('1 1 0&');
    expect(sim.hasTip(0) && sim.hasTip(1)).toBe(true);

    await lh.aspirate(source.wells('A1:B1'), [50, 20], { useChannels: [0, 1], flowRates: [80, 80] });
    const as = sim.history.at(-1)!;
    expect(as.params.get('av')).toBe('00500 00200 00500&');
    expect(as.params.get('as')).toBe('0800 0800 0800&');
    expect(as.params.get('lm')).toBe('0 0 0&'); // LLD off by default
    expect(sim.tipVolume(0)).toBe(50);
    expect(source.get('A1').volume).toBe(150);

    await lh.dispense(dest.wells('A1:B1'), [30, 20], { useChannels: [0, 1] });
    expect(sim.history.at(-1)!.params.get('ds')).toBe('1800 1800 1800&');
    expect(sim.tipVolume(0)).toBe(20);
    expect(dest.get('B1').volume).toBe(20);

    await lh.dropTips(tips.wells('A1:B1'), { useChannels: [0, 1] });
    expect(sim.history.at(-1)!.params.get('ti')).toBe('1');
    expect(sim.hasTip(0)).toBe(false);
    expect(tips.get('A1').hasTip).toBe(true);
    expect(sim.lastParameterError).toBeNull();
  });

  it('uses all 8 channels without the & closure, and discards into the trash by place & shift', async () => {
    const { sim, lh, tips, source, dest } = await setup();
    await lh.pickUpTips(tips.column(1));
    expect(sim.history.at(-1)!.params.get('tm')).toBe('1 1 1 1 1 1 1 1');
    await lh.aspirate(source.column(1), Array(8).fill(10));
    await lh.dispense(dest.column(1), Array(8).fill(10));
    await lh.discardTips();
    expect(sim.history.at(-1)!.params.get('ti')).toBe('0');
    expect(sim.channels.every((c) => c.tipType === null)).toBe(true);
    expect(lh.channels.every((c) => !c.hasTip)).toBe(true);
    expect(sim.lastParameterError).toBeNull();
  });

  it('commits the channels that succeeded when one channel fails', async () => {
    const { sim, lh, tips } = await setup();
    sim.inject('TP', { channels: { 1: [8, 75] } });
    const err = await lh.pickUpTips(tips.wells('A1:C1'), { useChannels: [0, 1, 2] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelizedError);
    expect((err as ChannelizedError).errors.get(1)).toBeInstanceOf(NoTipError);
    expect([lh.channels[0].hasTip, lh.channels[1].hasTip, lh.channels[2].hasTip]).toEqual([true, false, true]);
    expect([tips.get('A1').hasTip, tips.get('B1').hasTip, tips.get('C1').hasTip]).toEqual([false, true, false]);
    expect([sim.hasTip(0), sim.hasTip(1), sim.hasTip(2)]).toEqual([true, false, true]);
  });

  it('reports the simulator’s own tip state: a tip already fitted is a HasTipError', async () => {
    const { sim, lh, tips, source } = await setup();
    await lh.pickUpTips([tips.get('A1')]);
    sim.inject('AS', { channels: { 0: [17, 70] } });
    const err = (await lh.aspirate([source.get('A1')], [10]).catch((e: unknown) => e)) as ChannelizedError;
    expect(err.errors.get(0)).toBeInstanceOf(TooLittleLiquidError);
    expect(source.get('A1').volume).toBe(200);
    // The machine has a tip on channel 1 the front end does not know about.
    sim.channels[1].tipType = 1;
    const err2 = (await lh.pickUpTips([tips.get('B1')], { useChannels: [1] }).catch((e: unknown) => e)) as ChannelizedError;
    expect(err2.errors.get(1)).toBeInstanceOf(HasTipError);
    expect(tips.get('B1').hasTip).toBe(true);
  });

  it('a master error is a StarFirmwareError and rolls everything back', async () => {
    const { sim, lh, tips } = await setup();
    sim.inject('TP', { master: [2, 11] });
    const err = (await lh.pickUpTips(tips.wells('A1:B1')).catch((e: unknown) => e)) as StarFirmwareError;
    expect(err).toBeInstanceOf(StarFirmwareError);
    expect([err.module, err.code]).toEqual(['C0', 2]);
    expect(lh.channels[0].hasTip || tips.get('A1').hasTip === false).toBe(false);
  });

  it('a silent machine times out, the trackers roll back, and the late reply is dropped', async () => {
    const { sim, lh, tips, dropped } = await setup({ readTimeoutMs: 60 });
    sim.inject('TP', { silent: true });
    await expect(lh.pickUpTips([tips.get('A1')])).rejects.toBeInstanceOf(StarTimeoutError);
    expect(lh.channels[0].hasTip).toBe(false);
    expect(tips.get('A1').hasTip).toBe(true);

    // A reply that comes after its command timed out is dropped, and the next command gets its own.
    sim.inject('TP', { delayMs: 120 });
    await expect(lh.pickUpTips([tips.get('A1')])).rejects.toBeInstanceOf(StarTimeoutError);
    expect(sim.hasTip(0)).toBe(true); // the machine did it; the front end does not know
    sim.channels[0].tipType = null; // an operator takes the tip off
    const next = lh.pickUpTips([tips.get('A2')]);
    await next;
    await new Promise((r) => setTimeout(r, 150));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^C0TPid\d{4}er00\/00$/);
    expect(lh.channels[0].tip.origin).toBe('tips_A2');
    await lh.dropTips([tips.get('A2')]);
    expect(lh.channels[0].hasTip).toBe(false);
  });

  it('drives the 96-head: tips, aspirate, dispense, from a plate and a trough', async () => {
    const { sim, lh, tips, source, dest, res } = await setup();
    await lh.pickUpTips96(tips);
    expect(sim.head96.tipType).not.toBeNull();
    const ep = sim.history.at(-1)!;
    const a1 = tips.get('A1').getAbsoluteLocation('c', 'c', 'b');
    expect(ep.params.get('xs')).toBe(String(Math.round(a1.x * 10)).padStart(5, '0'));
    await lh.aspirate96(source, 20);
    expect(sim.history.at(-1)!.params.get('af')).toBe('00200');
    await lh.dispense96(dest, 20);
    await lh.aspirate96(res, 10);
    await lh.dispense96(res, 10);
    expect(sim.head96.volume).toBe(0);
    expect(dest.get('H12').volume).toBe(20);
    await lh.dropTips96(tips);
    expect(sim.head96.tipType).toBeNull();
    expect(tips.tipCount).toBe(96);
    expect(sim.lastParameterError).toBeNull();
  });

  it('a 96-head module error is a StarFirmwareError and rolls back', async () => {
    const { sim, lh, tips } = await setup();
    sim.inject('EP', { module: { module: 'H0', code: 8, trace: 75 } });
    const err = (await lh.pickUpTips96(tips).catch((e: unknown) => e)) as StarFirmwareError;
    expect(err.module).toBe('H0');
    expect(tips.tipCount).toBe(96);
    expect(lh.head96[0].hasTip).toBe(false);
  });

  it('moves a plate with the iSWAP', async () => {
    const { sim, lh, dest, freeSite } = await setup();
    await lh.movePlate(dest, freeSite);
    expect(sent(sim).slice(-3)).toEqual(['C0PP', 'C0PM', 'C0PR']);
    expect(dest.parent).toBe(freeSite);
    expect(sim.gripping).toBe(false);
    const pp = sim.history.at(-3)!;
    expect(pp.params.get('gr')).toBe('1');
    expect(sim.lastParameterError).toBeNull();
    sim.inject('PP', { module: { module: 'R0', code: 0, trace: 94 } });
    await expect(lh.pickUpResource(dest)).rejects.toThrow(/Plate not found/);
  });

  it('refuses values the firmware cannot take before sending', async () => {
    const { lh, tips, source } = await setup();
    await lh.pickUpTips([tips.get('A1')]);
    await expect(lh.aspirate([source.get('A1')], [10], { flowRates: [1000] })).rejects.toThrow(RangeError);
  });
});
