import { afterEach, describe, expect, it } from '@jest/globals';
import { testDeck } from '../../fixtures.spec-support.js';
import { ChannelizedError, LiquidHandlerError } from '../../machines/liquid-handler/errors.js';
import { LiquidHandler } from '../../machines/liquid-handler/liquid-handler.js';
import { deserializeResource } from '../../resources/resource.js';
import { HasTipError } from '../../tracking/errors.js';
import { type StarBackendOptions, StarBackend } from './backend.js';
import { HamiltonCoreGrippers, placeCoreGrippers } from './core-grippers.js';
import { StarFirmwareError } from './firmware.js';
import { StarFirmwareSimulator } from './simulator.js';
import { createTransportPair } from './transport.js';

const open: LiquidHandler[] = [];

async function setup(opts: { backend?: StarBackendOptions; hasIswap?: boolean; rack?: boolean } = {}) {
  const d = testDeck();
  if (opts.rack ?? true) placeCoreGrippers(d.deck);
  const [host, device] = createTransportPair();
  const sim = new StarFirmwareSimulator(device, { hasIswap: opts.hasIswap ?? true });
  await sim.start();
  const replies: string[] = [];
  const backend = new StarBackend(host, { readTimeoutMs: 2000, onTraffic: (dir, text) => dir === 'in' && replies.push(text), ...opts.backend });
  const lh = new LiquidHandler({ name: 'star', backend, deck: d.deck });
  await lh.setup();
  open.push(lh);
  return { ...d, sim, lh, backend, replies };
}

afterEach(async () => {
  for (const lh of open.splice(0)) await lh.stop();
});

const sent = (sim: StarFirmwareSimulator) => sim.history.map((c) => c.module + c.command);

describe('StarBackend: CoRe gripper against the firmware simulator', () => {
  it('moves a plate: parks the iSWAP, takes the tools, grips, moves, puts down, returns the tools', async () => {
    const { sim, lh, backend, dest, freeSite } = await setup({ backend: { coreGripper: {} } });
    expect(backend.gripper).toBe('iswap'); // the machine has an iSWAP: it stays the default
    backend.gripper = 'core';
    expect(sim.commandCount).toBe(10); // setup: ids 1..10

    await lh.movePlate(dest, freeSite);

    // STARlet waste block at x 775, y 115, z 100; the 1000 µL / 5 mL rack on it at (797.5, 85.5, 205):
    // tools at x 797.5, y 125 (back) and 107 (front). Plate `dest` (127.76 x 85.48 x 14.2) from
    // (261.5, 167.5, 183) to (261.5, 263.5, 183), gripped 5 mm below its top across its Y size.
    expect(sim.history.slice(-6).map((c) => c.text)).toEqual([
      'C0PGid0011th2800',
      'C0ZTid0012xs07975xd0ya1250yb1070pa07pb08tp2350tz2250th2800tt14',
      'C0ZPid0013xs03254xd0yj2102yv0050zj1922zy0500yo0885yg0825yw15th2800te2800',
      'C0ZMid0014xs03254xd0xg4yj3062zj1922zy0500th2800',
      'C0ZRid0015xs03254xd0yj3062zj1922zi000zy0500yo0885th2800te2800',
      'C0ZSid0016xs07975xd0ya1250yb1070tp2150tz2050th2800te2800',
    ]);
    expect(sim.lastParameterError).toBeNull();
    expect(dest.parent).toBe(freeSite);
    expect(lh.grippedResource).toBeNull();
    expect([sim.coreTools, sim.coreGripping, sim.iswapParked]).toEqual([null, false, true]);
    expect(backend.coreToolChannels).toBeNull();

    // The iSWAP is still parked: the next move starts with the tools.
    await lh.movePlate(dest, lh.deck.getResource('plate_car_site1') as typeof freeSite);
    expect(sent(sim).slice(-5)).toEqual(['C0ZT', 'C0ZP', 'C0ZM', 'C0ZR', 'C0ZS']);

    // After an iSWAP move the iSWAP is parked again before the tools are taken.
    backend.gripper = 'iswap';
    await lh.movePlate(dest, freeSite);
    backend.gripper = 'core';
    await lh.movePlate(dest, lh.deck.getResource('plate_car_site1') as typeof freeSite);
    expect(sent(sim).slice(-9)).toEqual(['C0PP', 'C0PM', 'C0PR', 'C0PG', 'C0ZT', 'C0ZP', 'C0ZM', 'C0ZR', 'C0ZS']);
    expect(sim.lastParameterError).toBeNull();
  });

  it('is chosen per move through the front end (movePlate gripper option)', async () => {
    const { sim, lh, backend, dest, freeSite } = await setup({ backend: { coreGripper: {} } });
    await lh.movePlate(dest, freeSite, { gripper: 'core' });
    expect(sent(sim).slice(-5)).toEqual(['C0ZT', 'C0ZP', 'C0ZM', 'C0ZR', 'C0ZS']);
    await lh.movePlate(dest, lh.deck.getResource('plate_car_site1') as typeof freeSite, { gripper: 'iswap' });
    expect(sent(sim).slice(-3)).toEqual(['C0PP', 'C0PM', 'C0PR']);
    expect(backend.gripper).toBe('iswap');
    const err = await lh.movePlate(dest, freeSite, { gripper: 'claw' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiquidHandlerError);
    expect(String(err)).toContain("gripper must be 'iswap' or 'core'");
    expect(dest.parent?.name).toBe('plate_car_site1');
  });

  it('is the default gripper of a STAR without iSWAP, on the configured channel pair', async () => {
    const { sim, lh, backend, source, lastSite } = await setup({ hasIswap: false, backend: { coreGripper: { frontChannel: 3 } } });
    expect([backend.hasIswap, backend.hasGripper, backend.gripper]).toEqual([false, true, 'core']);
    await lh.moveLid(source.lid!, lastSite);
    expect(sent(sim).slice(-5)).toEqual(['C0ZT', 'C0ZP', 'C0ZM', 'C0ZR', 'C0ZS']); // no iSWAP to park
    const zt = sim.history.at(-5)!;
    expect([zt.params.get('pa'), zt.params.get('pb')]).toEqual(['03', '04']);
    expect(source.lid).toBeNull();
    expect(sim.lastParameterError).toBeNull();
  });

  it('fails when a tool channel has a tip: the firmware refuses C0ZT, nothing is gripped', async () => {
    const { sim, lh, backend, tips, dest, freeSite, pc, replies } = await setup({ backend: { gripper: 'core' } });
    await lh.pickUpTips([tips.get('H1')], { useChannels: [7] });
    const err = await lh.movePlate(dest, freeSite).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelizedError);
    expect((err as ChannelizedError).errors.get(7)).toBeInstanceOf(HasTipError);
    expect(replies.at(-1)).toMatch(/^C0ZTid\d{4}er99\/00 P807\/76$/);
    expect(sent(sim).at(-1)).toBe('C0ZT'); // no grip attempted
    expect([sim.coreTools, sim.coreGripping]).toEqual([null, false]);
    expect(backend.coreToolChannels).toBeNull();
    expect(dest.parent).toBe(pc.site(1));
    expect(lh.grippedResource).toBeNull();

    await lh.dropTips([tips.get('H1')], { useChannels: [7] });
    await lh.movePlate(dest, freeSite);
    expect(dest.parent).toBe(freeSite);
  });

  it('keeps the tools with returnTools off, refuses pipetting on their channels, and reports a grip without tools', async () => {
    const { sim, lh, backend, tips, dest, freeSite, pc, replies } = await setup({ backend: { gripper: 'core', coreGripper: { returnTools: false } } });
    await lh.movePlate(dest, freeSite);
    expect(sent(sim).slice(-5)).toEqual(['C0PG', 'C0ZT', 'C0ZP', 'C0ZM', 'C0ZR']);
    expect(sim.coreTools).toEqual({ back: 6, front: 7 });
    expect(backend.coreToolChannels).toEqual([6, 7]);

    // The tools stay on: the next move does not take them again.
    await lh.movePlate(dest, pc.site(1));
    expect(sent(sim).slice(-3)).toEqual(['C0ZP', 'C0ZM', 'C0ZR']);
    expect(sent(sim).filter((c) => c === 'C0ZT')).toHaveLength(1);

    // Pipetting on a tool channel is refused before anything is sent; other channels work.
    const before = sim.commandCount;
    await expect(lh.pickUpTips([tips.get('H1')], { useChannels: [7] })).rejects.toThrow(/channel 7 carries a CoRe gripper tool/);
    expect(sim.commandCount).toBe(before);
    expect(tips.get('H1').hasTip).toBe(true);
    await lh.pickUpTips([tips.get('A1')], { useChannels: [0] });
    await lh.dropTips([tips.get('A1')], { useChannels: [0] });

    // The tools are taken off by hand: the backend still thinks they are on, the firmware refuses the grip.
    sim.coreTools = null;
    const err = (await lh.movePlate(dest, freeSite).catch((e: unknown) => e)) as StarFirmwareError;
    expect(err).toBeInstanceOf(StarFirmwareError);
    expect([err.module, err.code]).toEqual(['C0', 8]);
    expect(replies.at(-1)).toMatch(/^C0ZPid\d{4}er08\/00$/);
    expect(dest.parent).toBe(pc.site(1));
    expect(lh.grippedResource).toBeNull();
    expect(sim.coreGripping).toBe(false);

    // setup() initializes the channels (they report something fitted) and forgets the tools.
    sim.coreTools = { back: 6, front: 7 };
    await backend.setup();
    expect(sent(sim).slice(-7)).toEqual(['C0RM', 'C0QM', 'C0QW', 'C0RT', 'C0DI', 'R0QW', 'H0QW']);
    expect([sim.coreTools, backend.coreToolChannels]).toEqual([null, null]);
  });

  it('puts the plate down even when the tools cannot be put back, and says why their channels are refused', async () => {
    const { sim, lh, backend, tips, dest, freeSite } = await setup({ backend: { gripper: 'core' } });
    sim.inject('ZS', { master: [2, 0] });
    await lh.movePlate(dest, freeSite);
    expect(dest.parent).toBe(freeSite); // C0ZR succeeded: the layout follows the plate
    expect(sent(sim).slice(-2)).toEqual(['C0ZR', 'C0ZS']);
    expect(backend.coreToolChannels).toEqual([6, 7]);
    await expect(lh.pickUpTips([tips.get('G1')], { useChannels: [6] })).rejects.toThrow(/channel 6 carries a CoRe gripper tool \(putting them back after the last plate move failed: .*Hardware error/);
    await backend.returnCoreGripperTools();
    expect(sent(sim).at(-1)).toBe('C0ZS');
    expect([sim.coreTools, backend.coreToolChannels]).toEqual([null, null]);
    await lh.pickUpTips([tips.get('G1')], { useChannels: [6] });
    expect(sim.hasTip(6)).toBe(true);
    await backend.returnCoreGripperTools(); // nothing to put back: nothing sent
    expect(sent(sim).at(-1)).toBe('C0TP');
  });

  it('refuses what it cannot do before sending anything', async () => {
    const { sim, lh, backend, dest, freeSite } = await setup({ backend: { gripper: 'core' } });
    const before = sim.commandCount;
    await expect(lh.movePlate(dest, freeSite, { direction: 'left' })).rejects.toThrow(/grips from the front only/);

    const bare = await setup({ rack: false, backend: { gripper: 'core' } });
    await expect(bare.lh.movePlate(bare.dest, bare.freeSite)).rejects.toThrow(/no CoRe gripper tools on deck: put their rack on the deck/);
    expect(bare.sim.commandCount).toBe(10);

    const iswapOnly = await setup();
    expect(() => {
      iswapOnly.backend.gripper = 'core';
    }).toThrow(LiquidHandlerError);
    expect(() => new StarBackend(createTransportPair()[0], { coreGripper: { frontChannel: 0 } })).toThrow(/frontChannel must be 1-7/);
    expect(() => new StarBackend(createTransportPair()[0], { numChannels: 1, gripper: 'core' })).toThrow(/needs two channels/);

    // No switching grippers while one holds a plate.
    await lh.pickUpResource(dest);
    expect(() => {
      backend.gripper = 'iswap';
    }).toThrow(/while the CoRe gripper holds dest/);
    await expect(backend.returnCoreGripperTools()).rejects.toThrow(/still holds dest/);
    await lh.dropResource(freeSite);
    expect(sim.commandCount).toBe(before + 5); // PG ZT ZP, ZR ZS
    expect(sim.lastParameterError).toBeNull();
  });

  it('the simulator refuses tools on non-adjacent channels and tools taken twice', async () => {
    const { backend } = await setup({ backend: { coreGripper: {} } });
    const zt = (pa: string, pb: string) =>
      backend.connection.send('C0', 'ZT', [
        ['xs', '07975'],
        ['xd', 0],
        ['ya', '1250'],
        ['yb', '1070'],
        ['pa', pa],
        ['pb', pb],
        ['tp', '2350'],
        ['tz', '2250'],
        ['th', '2800'],
        ['tt', '14'],
      ]);
    await expect(zt('05', '07')).rejects.toMatchObject({ module: 'C0', code: 1, trace: 32 });
    await zt('01', '02');
    const err = (await zt('03', '04').catch((e: unknown) => e)) as ChannelizedError;
    expect(err).toBeInstanceOf(ChannelizedError);
    expect(err.channels).toEqual([2, 3]);
  });

  it('serializes the tool rack with the deck', () => {
    const { deck } = testDeck();
    const rack = placeCoreGrippers(deck, '1000uL-at-waste');
    const t = rack.toolPositions();
    expect([t.x, t.backY, t.frontY, t.z].map((v) => Math.round(v * 100) / 100)).toEqual([798, 105.55, 79.55, 205]);
    const copy = deserializeResource(JSON.parse(JSON.stringify(deck.serialize())));
    const back = copy.getResource('core_grippers');
    expect(back).toBeInstanceOf(HamiltonCoreGrippers);
    expect((back as HamiltonCoreGrippers).toolPositions()).toEqual(rack.toolPositions());
  });
});
