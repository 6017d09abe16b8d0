import { describe, expect, it } from '@jest/globals';
import { TooLittleVolumeError } from '@praxis/hardware';
import { executeProtocol, failedStep, ParameterError, runProtocol } from '@praxis/protocol';
import { demoBench, depths, recordingHooks } from './demo-deck.spec-support.js';
import nestedSteps from './nested_steps.js';

async function bench() {
  const b = await demoBench();
  b.source.fill(200);
  return { ...b, assets: { lh: b.lh, tips: b.tips, source: b.source, target: b.destination } };
}

describe('nested_steps', () => {
  it('runs prepare_plate → fill_column → transfer_well, three deep', async () => {
    const b = await bench();
    const run = await runProtocol(nestedSteps, { assets: b.assets });

    // 1 root + 1 prepare_plate + 2 fill_column + 16 transfer_well, numbered in call order
    expect(run.steps).toHaveLength(20);
    expect(run.steps.map((s) => s.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const tree = run.steps.map((s) => [s.seq, s.parentSeq, s.name]);
    expect(tree.slice(0, 4)).toEqual([
      [1, null, 'nested_steps'],
      [2, 1, 'prepare_plate'],
      [3, 2, 'fill_column'],
      [4, 3, 'transfer_well'],
    ]);
    expect(tree[11]).toEqual([12, 2, 'fill_column']);
    expect(run.steps.slice(3, 11).every((s) => s.parentSeq === 3 && s.name === 'transfer_well')).toBe(true);
    expect(run.steps.slice(12).every((s) => s.parentSeq === 12 && s.name === 'transfer_well')).toBe(true);
    const depth = depths(run.steps);
    expect(Math.max(...depth.values())).toBe(3);
    expect(run.steps.filter((s) => depth.get(s.seq) === 3).every((s) => s.name === 'transfer_well')).toBe(true);
    expect(run.steps.every((s) => s.status === 'completed')).toBe(true);

    // results of the inner steps
    expect(run.steps[2].result).toEqual({ column: 1, wells: 8 });
    expect(run.steps[11].result).toEqual({ column: 2, wells: 8 });
    expect(run.steps[1].result).toEqual({ columns: 2, wells: 16 });
    expect(run.result).toEqual({ columns: 2, wells: 16 });
    expect(run.steps[1].args.slice(4)).toEqual([2, 20]);

    // state changes, each attributed to the step that made it (and to its callers)
    expect(run.steps[3].stateDiff).toEqual({ wellsFilled: { after: 1 }, volumeDispensed: { after: 20 } });
    expect(run.steps[4].stateDiff).toEqual({ wellsFilled: { before: 1, after: 2 }, volumeDispensed: { before: 20, after: 40 } });
    expect(run.steps[2].stateDiff).toEqual({ wellsFilled: { after: 8 }, volumeDispensed: { after: 160 }, columnsFilled: { after: 1 } });
    expect(run.steps[11].stateDiff).toEqual({
      wellsFilled: { before: 8, after: 16 },
      volumeDispensed: { before: 160, after: 320 },
      columnsFilled: { before: 1, after: 2 },
    });
    expect(run.steps[1].stateDiff).toEqual({ wellsFilled: { after: 16 }, volumeDispensed: { after: 320 }, columnsFilled: { after: 2 }, plateReady: { after: true } });
    expect(run.state).toEqual({ wellsFilled: 16, volumeDispensed: 320, columnsFilled: 2, plateReady: true });

    // hardware: 4 commands per well, tips and wells of columns 1 and 2 only
    expect(b.counts()).toEqual({ pickUpTips: 16, aspirate: 16, dispense: 16, dropTips: 16 });
    expect(b.events.filter((e) => e.command === 'pickUpTips').map((e) => (e.args.resources as string[])[0])).toEqual(b.tips.wells('A1:H2').map((s) => s.name));
    expect(b.destination.wells('A1:H2').every((w) => w.volume === 20)).toBe(true);
    expect(b.destination.column(3).every((w) => w.volume === 0)).toBe(true);
    expect(b.source.column(1).every((w) => w.volume === 180)).toBe(true);
    expect(b.source.column(3).every((w) => w.volume === 200)).toBe(true);

    expect(run.outputs.map((o) => [o.name, o.value, o.type, o.resource])).toEqual([
      ['wells_filled', 16, 'count', 'destination_plate'],
      ['volume_dispensed', 320, 'volume_uL', 'destination_plate'],
    ]);
    expect(run.logs[0]).toMatchObject({ message: 'preparing destination_plate: 2 columns of 20 µL', stepSeq: 1 });
  });

  it('fills the whole plate with 12 columns', async () => {
    const b = await bench();
    const run = await runProtocol(nestedSteps, { assets: b.assets, parameters: { columns: 12, volume: 5 } });
    expect(run.steps.filter((s) => s.name === 'transfer_well')).toHaveLength(96);
    expect(run.steps.filter((s) => s.name === 'fill_column')).toHaveLength(12);
    expect(b.events).toHaveLength(384);
    expect(b.destination.wells().every((w) => w.volume === 5)).toBe(true);
    expect(run.state).toMatchObject({ wellsFilled: 96, volumeDispensed: 480, columnsFilled: 12 });
  });

  it('a failure in the innermost step fails every step above it and names the innermost one', async () => {
    const b = await bench();
    b.destination.get('C2').setVolume(350); // only 10 µL of room for 20 µL
    const rec = recordingHooks();
    const err = await executeProtocol(nestedSteps, { assets: b.assets, hooks: rec.hooks }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLittleVolumeError);
    expect((err as Error).message).toMatch(/destination_plate_C2/);
    const c2 = rec.steps.find((s) => s.name === 'transfer_well' && (s.args[3] as { $ref: string }).$ref === 'destination_plate_C2')!;
    expect(failedStep(err)).toEqual({ seq: c2.seq, name: 'transfer_well' });
    expect(c2).toMatchObject({ seq: 15, parentSeq: 12, status: 'failed', error: { name: 'TooLittleVolumeError' }, stateDiff: {} });
    expect(rec.steps.filter((s) => s.status === 'failed').map((s) => [s.seq, s.name])).toEqual([
      [1, 'nested_steps'],
      [2, 'prepare_plate'],
      [12, 'fill_column'],
      [15, 'transfer_well'],
    ]);
    expect(rec.steps).toHaveLength(15);
    expect(rec.steps.find((s) => s.seq === 12)!.stateDiff).toEqual({ wellsFilled: { before: 8, after: 10 }, volumeDispensed: { before: 160, after: 200 } });
    expect(rec.outputs).toEqual([]);
    expect(b.destination.get('C2').volume).toBe(350);
  });

  it('refuses parameters naming the field', async () => {
    const b = await bench();
    const err = await runProtocol(nestedSteps, { assets: b.assets, parameters: { columns: 13, volume: 301 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterError);
    expect((err as ParameterError).issues.map((i) => i.field).sort()).toEqual(['columns', 'volume']);
    expect(b.events).toHaveLength(0);
  });
});
