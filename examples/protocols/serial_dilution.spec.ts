import { describe, expect, it } from '@jest/globals';
import { describeProtocol, executeProtocol, failedStep, ParameterError, runProtocol, type InputRequest } from '@praxis/protocol';
import { demoBench, recordingHooks } from './demo-deck.spec-support.js';
import serialDilution from './serial_dilution.js';

/** The demo deck with empty plates (`sourceVolume`: the source plate filled, as the demo seed does). */
async function bench(sourceVolume = 0) {
  const b = await demoBench();
  if (sourceVolume) b.source.fill(sourceVolume);
  return { ...b, assets: { lh: b.lh, tips: b.tips, diluent: b.source, plate: b.destination } };
}

describe('serial_dilution', () => {
  it('describes its parameters with defaults and bounds', () => {
    const meta = describeProtocol(serialDilution);
    expect(meta.name).toBe('serial_dilution');
    expect(meta.parametersSchema).toMatchObject({
      properties: {
        dilutionFactor: { type: 'number', default: 2, minimum: 1.1, maximum: 100 },
        transferVolume: { type: 'number', default: 50, exclusiveMinimum: 0, maximum: 150 },
        steps: { type: 'integer', default: 8, minimum: 2, maximum: 12 },
        row: { enum: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], default: 'A' },
      },
    });
    expect(Object.values(meta.assets).map((a) => a.category)).toEqual(['LiquidHandler', 'tip_rack', 'plate', 'plate']);
  });

  it('asks for confirmation first, records the liquids loaded, then dilutes 1:2 over 8 wells of row A', async () => {
    const b = await bench();
    const seen: InputRequest[] = [];
    const commandsAtPrompt: number[] = [];
    const run = await runProtocol(serialDilution, {
      assets: b.assets,
      answers: (request) => {
        seen.push(request);
        commandsAtPrompt.push(b.events.length);
        return { confirmed: true };
      },
    });

    // the prompt: asked once, before any pipetting, with a form of the fields and their defaults
    expect(seen).toHaveLength(1);
    expect(commandsAtPrompt).toEqual([0]);
    expect(run.inputs).toHaveLength(1);
    expect(run.inputs[0].request.prompt).toBe('Confirm the diluent is loaded in row A of source_plate (50 µL per well) and the stock in destination_plate_A1');
    expect(run.inputs[0].request.stepSeq).toBe(1);
    expect(run.inputs[0].request.fieldsSchema).toMatchObject({
      type: 'object',
      properties: {
        confirmed: { type: 'boolean', default: true },
        stockConcentration: { type: 'number', default: 100 },
        stockVolume: { type: 'number', default: 100, minimum: 50, maximum: 360 },
        unit: { type: 'string', default: 'µM' },
      },
    });
    expect(run.inputs[0].answer).toEqual({ confirmed: true, stockConcentration: 100, stockVolume: 100, unit: 'µM' });

    // steps: the root, one add_diluent, seven dilute
    expect(run.steps.map((s) => s.name)).toEqual(['serial_dilution', 'add_diluent', ...Array(7).fill('dilute')]);
    expect(run.steps.slice(1).every((s) => s.parentSeq === 1 && s.status === 'completed')).toBe(true);
    expect(run.steps[1].args.at(-1)).toBe(50);

    // commands: the liquids loaded (the stock, 50 µL of diluent in A2-A8 of the source plate),
    // 1 tip for the diluent (7 aspirate + 7 dispense), then 4 commands per dilution
    expect(b.events[0]).toMatchObject({ command: 'recordLiquids', args: { resources: ['destination_plate_A1', ...[2, 3, 4, 5, 6, 7, 8].map((c) => `source_plate_A${c}`)], volumes: [100, ...Array(7).fill(50)] } });
    expect(b.counts()).toEqual({ recordLiquids: 1, pickUpTips: 8, aspirate: 14, dispense: 14, dropTips: 8 });
    expect(b.events).toHaveLength(45);
    const mixes = b.events.filter((e) => e.command === 'dispense').slice(7);
    expect(mixes.map((e) => e.args.resources)).toEqual([2, 3, 4, 5, 6, 7, 8].map((c) => [`destination_plate_A${c}`]));

    // volumes: stock 100 → 50 left; wells 2-7: 50 diluent + 50 in − 50 out; well 8 keeps 100
    expect(b.destination.row('A').map((w) => w.volume)).toEqual([50, 50, 50, 50, 50, 50, 50, 100, 0, 0, 0, 0]);
    expect(b.source.row('A').map((w) => w.volume)).toEqual(Array(12).fill(0));
    expect(b.destination.get('B2').volume).toBe(0);

    // outputs: the concentration of each well
    const conc = run.outputs.filter((o) => o.type === 'concentration');
    expect(conc.map((o) => [o.name, o.value, o.resource])).toEqual(
      [100, 50, 25, 12.5, 6.25, 3.125, 1.5625, 0.78125].map((v, j) => [`concentration_destination_plate_A${j + 1}`, v, `destination_plate_A${j + 1}`]),
    );
    expect(run.outputs.find((o) => o.name === 'concentration_unit')).toMatchObject({ value: 'µM', type: 'unit' });
    expect(run.state).toEqual({ stockConcentration: 100, diluentAdded: true, wellsDiluted: 7 });
    expect(run.steps[1].stateDiff).toEqual({});
    expect(run.steps[0].stateDiff).toMatchObject({ diluentAdded: { after: true }, wellsDiluted: { after: 7 } });
  });

  it('fails clearly when the operator does not confirm, before any pipetting', async () => {
    const b = await bench();
    const err = await runProtocol(serialDilution, { assets: b.assets, answers: [{ confirmed: false }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('serial dilution stopped: the operator did not confirm that the diluent and the stock are loaded');
    expect(failedStep(err)).toEqual({ seq: 1, name: 'serial_dilution' });
    expect(b.events).toHaveLength(0);
    expect(b.destination.get('A1').volume).toBe(0);

    const rec = recordingHooks({ confirmed: false });
    await expect(executeProtocol(serialDilution, { assets: b.assets, hooks: rec.hooks })).rejects.toThrow(/did not confirm/);
    expect(rec.steps).toEqual([expect.objectContaining({ seq: 1, name: 'serial_dilution', status: 'failed', error: { name: 'Error', message: expect.stringMatching(/did not confirm/) } })]);
    expect(rec.outputs).toEqual([]);
  });

  it('takes the parameters and the answer: 1:10 over 4 wells of row C from 60 µL of 1000 nM; diluent wells holding more keep it', async () => {
    const b = await bench(300);
    const run = await runProtocol(serialDilution, {
      assets: b.assets,
      parameters: { dilutionFactor: 10, transferVolume: 20, steps: 4, row: 'C' },
      answers: [{ confirmed: true, stockConcentration: 1000, stockVolume: 60, unit: 'nM' }],
    });
    expect(run.inputs[0].request.prompt).toMatch(/row C of source_plate \(180 µL per well\) and the stock in destination_plate_C1$/);
    expect(b.destination.row('C').slice(0, 5).map((w) => w.volume)).toEqual([40, 180, 180, 200, 0]);
    expect(b.source.row('C').slice(0, 5).map((w) => w.volume)).toEqual([300, 120, 120, 120, 300]);
    expect(b.counts()).toEqual({ recordLiquids: 1, pickUpTips: 4, aspirate: 6, dispense: 6, dropTips: 4 });
    expect(run.outputs.filter((o) => o.type === 'concentration').map((o) => o.value)).toEqual([1000, 100, 10, 1]);
    expect(run.result).toEqual({ wells: ['destination_plate_C1', 'destination_plate_C2', 'destination_plate_C3', 'destination_plate_C4'], concentrations: [1000, 100, 10, 1], unit: 'nM' });
  });

  it('refuses bad parameters naming the field, and volumes a well cannot hold', async () => {
    const b = await bench();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ steps: 13 }, 'steps'],
      [{ steps: 2.5 }, 'steps'],
      [{ row: 'Z' }, 'row'],
      [{ dilutionFactor: 1 }, 'dilutionFactor'],
      [{ transferVolume: 151 }, 'transferVolume'],
    ];
    for (const [parameters, field] of cases) {
      const err = await runProtocol(serialDilution, { assets: b.assets, parameters }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParameterError);
      expect((err as ParameterError).issues.map((i) => i.field)).toEqual([field]);
    }
    await expect(runProtocol(serialDilution, { assets: b.assets, parameters: { dilutionFactor: 10, transferVolume: 50 } })).rejects.toThrow(
      'a well would need 500 µL but holds 360 µL: lower transferVolume or dilutionFactor',
    );
    expect(b.events).toHaveLength(0);
  });

  it('refuses an invalid answer, naming the field', async () => {
    const b = await bench();
    const err = await runProtocol(serialDilution, { assets: b.assets, answers: [{ confirmed: true, stockConcentration: -1 }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterError);
    expect((err as ParameterError).issues).toEqual([{ field: 'stockConcentration', message: expect.stringMatching(/^the answer is invalid: /) }]);
    // less stock than one transfer takes
    const low = await runProtocol(serialDilution, { assets: b.assets, answers: [{ confirmed: true, stockVolume: 49 }] }).catch((e: unknown) => e);
    expect((low as ParameterError).issues.map((i) => i.field)).toEqual(['stockVolume']);
    expect(b.events).toHaveLength(0);
  });
});
