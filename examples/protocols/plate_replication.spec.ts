import { describe, expect, it } from '@jest/globals';
import { TooLittleLiquidError } from '@praxis/hardware';
import { describeProtocol, executeProtocol, failedStep, MissingAssetError, ParameterError, runProtocol } from '@praxis/protocol';
import { demoBench, recordingHooks } from './demo-deck.spec-support.js';
import plateReplication, { transferWell } from './plate_replication.js';

async function bench(fill = 200) {
  const b = await demoBench();
  b.source.fill(fill);
  return { ...b, assets: { lh: b.lh, tips: b.tips, source: b.source, destination: b.destination } };
}

describe('plate_replication', () => {
  it('is named, versioned and asks for the demo layout', () => {
    const meta = describeProtocol(plateReplication);
    expect(meta).toMatchObject({ name: 'plate_replication', version: '1.0.0', description: 'Copy a volume from every well of one plate to another', deckLayout: { kind: 'name', name: 'demo_layout' } });
    expect(meta.assets).toEqual({
      lh: { kind: 'machine', category: 'LiquidHandler' },
      tips: { kind: 'resource', category: 'tip_rack' },
      source: { kind: 'resource', category: 'plate' },
      destination: { kind: 'resource', category: 'plate' },
    });
    expect(meta.parametersSchema).toMatchObject({ type: 'object', properties: { volume: { type: 'number', default: 50, maximum: 300, exclusiveMinimum: 0 } } });
  });

  it('copies 50 µL from every well: 96 transfer_well steps, 384 commands, tip i for well i', async () => {
    const b = await bench();
    const run = await runProtocol(plateReplication, { assets: b.assets });

    // the step tree: the root (the protocol) and one transfer_well per well under it
    expect(run.steps[0]).toMatchObject({ seq: 1, parentSeq: null, name: 'plate_replication', status: 'completed', args: [{ volume: 50 }] });
    const transfers = run.steps.filter((s) => s.name === 'transfer_well');
    expect(transfers).toHaveLength(96);
    expect(run.steps).toHaveLength(97);
    expect(transfers.map((s) => s.seq)).toEqual(Array.from({ length: 96 }, (_, i) => i + 2));
    expect(transfers.every((s) => s.parentSeq === 1 && s.status === 'completed')).toBe(true);
    expect(transfers[0].args).toEqual([
      { $ref: 'starlet', type: 'machine' },
      { $ref: 'tips_1000_1_A1', type: 'tip_spot' },
      { $ref: 'source_plate_A1', type: 'well' },
      { $ref: 'destination_plate_A1', type: 'well' },
      50,
    ]);
    expect(transfers[95].args.slice(1, 4)).toEqual([
      { $ref: 'tips_1000_1_H12', type: 'tip_spot' },
      { $ref: 'source_plate_H12', type: 'well' },
      { $ref: 'destination_plate_H12', type: 'well' },
    ]);

    // the commands: exactly four per well, nothing else
    expect(b.events).toHaveLength(384);
    expect(b.counts()).toEqual({ pickUpTips: 96, aspirate: 96, dispense: 96, dropTips: 96 });
    const wells = b.source.wells();
    for (let i = 0; i < 96; i++) {
      const [pick, asp, disp, drop] = b.events.slice(4 * i, 4 * i + 4);
      expect([pick.command, asp.command, disp.command, drop.command]).toEqual(['pickUpTips', 'aspirate', 'dispense', 'dropTips']);
      expect(pick.args.resources).toEqual([b.tips.get(i).name]);
      expect(asp.args).toMatchObject({ resources: [wells[i].name], volumes: [50] });
      expect(disp.args).toMatchObject({ resources: [b.destination.get(i).name], volumes: [50] });
      expect(drop.args.resources).toEqual([b.tips.get(i).name]);
    }
    expect(b.events.every((e) => e.error === undefined)).toBe(true);

    // the liquid moved: 150 µL left in each source well, 50 µL in each destination well
    expect(new Set(b.source.wells().map((w) => w.volume))).toEqual(new Set([150]));
    expect(new Set(b.destination.wells().map((w) => w.volume))).toEqual(new Set([50]));
    expect(b.tips.tipCount).toBe(96); // every tip went back to its spot
    expect(b.lh.channels.some((c) => c.hasTip)).toBe(false);

    // state, outputs, result and logs
    expect(run.state).toEqual({ wellsDone: 96 });
    expect(run.steps[0].stateDiff).toEqual({ wellsDone: { after: 96 } });
    expect(run.outputs).toEqual([expect.objectContaining({ name: 'total_volume_transferred', value: 4800, type: 'volume_uL', resource: 'destination_plate', stepSeq: 1 })]);
    expect(run.result).toEqual({ wells: 96, totalVolume: 4800 });
    expect(run.logs[0]).toMatchObject({ level: 'info', message: 'replicating source_plate into destination_plate: 50 µL per well', data: { from: 0, wells: 96 }, stepSeq: 1 });
    expect(run.logs.filter((l) => l.level === 'debug')).toHaveLength(8);
    expect(run.logs.at(-1)?.message).toBe('done: 96 wells, 4800 µL');
  });

  it('uses the volume parameter', async () => {
    const b = await bench(300);
    const run = await runProtocol(plateReplication, { assets: b.assets, parameters: { volume: 120.5 } });
    expect(b.destination.get('C7').volume).toBeCloseTo(120.5);
    expect(b.source.get('C7').volume).toBeCloseTo(179.5);
    expect(b.events.filter((e) => e.command === 'aspirate').every((e) => (e.args.volumes as number[])[0] === 120.5)).toBe(true);
    expect(run.outputs[0].value).toBeCloseTo(96 * 120.5);
  });

  it('refuses parameters out of bounds, naming the field, before any command', async () => {
    const b = await bench();
    for (const volume of [1000, 0, -5, 'fifty']) {
      const err = await runProtocol(plateReplication, { assets: b.assets, parameters: { volume } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParameterError);
      expect((err as ParameterError).issues.map((i) => i.field)).toEqual(['volume']);
      expect((err as Error).message).toMatch(/^invalid parameters: volume: /);
    }
    expect(b.events).toHaveLength(0);
  });

  it('refuses a run without one of its assets', async () => {
    const b = await bench();
    const { tips: _tips, ...rest } = b.assets;
    await expect(runProtocol(plateReplication, { assets: rest })).rejects.toThrow(MissingAssetError);
    await expect(runProtocol(plateReplication, { assets: rest })).rejects.toThrow(/asset "tips" \(resource tip_rack\)/);
    expect(b.events).toHaveLength(0);
  });

  it('resumes from the wells already done', async () => {
    const b = await bench();
    const run = await runProtocol(plateReplication, { assets: b.assets, initialState: { wellsDone: 90 } });
    expect(run.steps.filter((s) => s.name === 'transfer_well')).toHaveLength(6);
    expect(b.events).toHaveLength(24);
    expect(b.destination.get(89).volume).toBe(0);
    expect(b.destination.get(90).volume).toBe(50);
    expect(run.outputs[0].value).toBe(300);
    expect(run.steps[0].stateDiff).toEqual({ wellsDone: { before: 90, after: 96 } });
  });

  it('stops at the well that fails; the state says how far it got', async () => {
    const b = await bench();
    b.source.get(5).setVolume(10); // F1: too little for 50 µL
    const rec = recordingHooks();
    const changes: Array<[string, unknown]> = [];
    const err = await executeProtocol(plateReplication, { assets: b.assets, hooks: rec.hooks, onStateChange: (k, v) => changes.push([k, v]) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLittleLiquidError);
    expect((err as Error).message).toMatch(/source_plate_F1/);
    expect(failedStep(err)).toEqual({ seq: 7, name: 'transfer_well' });
    expect(changes.at(-1)).toEqual(['wellsDone', 5]);
    expect(rec.steps.map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, 'plate_replication', 'failed'],
      ...[2, 3, 4, 5, 6].map((seq) => [seq, 'transfer_well', 'completed']),
      [7, 'transfer_well', 'failed'],
    ]);
    expect(rec.steps.find((s) => s.seq === 7)).toMatchObject({ name: 'transfer_well', status: 'failed', error: { name: 'TooLittleLiquidError' } });
    expect(rec.steps.find((s) => s.seq === 1)).toMatchObject({ status: 'failed', stateDiff: { wellsDone: { after: 5 } } });
    expect(rec.steps.filter((s) => s.status === 'completed')).toHaveLength(5);
    // the sixth well's tip was picked up, nothing was aspirated: the front end refused before the backend
    expect(b.counts()).toEqual({ pickUpTips: 6, aspirate: 5, dispense: 5, dropTips: 5 });
    expect(b.source.get(5).volume).toBe(10);
    expect(b.lh.channels[0].hasTip).toBe(true);
  });

  it('its step is a plain call outside a run', async () => {
    const b = await bench();
    await transferWell(b.lh, b.tips.get('B2'), b.source.get('B2'), b.destination.get('D4'), 25);
    expect(b.events.map((e) => e.command)).toEqual(['pickUpTips', 'aspirate', 'dispense', 'dropTips']);
    expect(b.source.get('B2').volume).toBe(175);
    expect(b.destination.get('D4').volume).toBe(25);
  });
});
