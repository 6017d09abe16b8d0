// Serial dilution along one row of a plate.
//
// The first well of the row holds the stock. Every other well of the series first gets
// `transferVolume × (dilutionFactor − 1)` µL of diluent (from the same well of the diluent plate,
// one tip for all of them), then `transferVolume` µL is carried from each well to the next with a
// fresh tip, mixing after each dispense: well j ends at stock / dilutionFactor^j.
//
// Before any pipetting the operator confirms that the diluent and the stock are loaded, and says
// how much stock; the run fails (nothing pipetted) when they do not. The liquids confirmed are then
// recorded on the deck (`lh.recordLiquids`), so the volume tracking knows what is in the wells (a
// well holding more diluent than needed keeps its volume). The concentration of every well is
// recorded as an output of type `concentration`.
import type { Container, LiquidHandler, TipSpot } from '@praxis/hardware';
import { defineProtocol, step, z } from '@praxis/protocol';

const ROWS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] as const;

/** Diluent into every well of the series but the first, with one tip. */
const addDiluent = step('add_diluent', async (lh: LiquidHandler, tip: TipSpot, sources: Container[], targets: Container[], volume: number) => {
  await lh.pickUpTips([tip]);
  for (let i = 0; i < targets.length; i++) {
    await lh.aspirate([sources[i]], [volume]);
    await lh.dispense([targets[i]], [volume]);
  }
  await lh.dropTips([tip]);
});

/** Carries `volume` from one well to the next with a fresh tip and mixes the target. */
const dilute = step('dilute', async (lh: LiquidHandler, tip: TipSpot, from: Container, to: Container, volume: number, mixVolume: number) => {
  await lh.pickUpTips([tip]);
  await lh.aspirate([from], [volume]);
  await lh.dispense([to], [volume], { mix: [{ volume: mixVolume, repetitions: 3 }] });
  await lh.dropTips([tip]);
});

export default defineProtocol({
  name: 'serial_dilution',
  version: '1.0.0',
  description: 'Serial dilution of a stock along one row of a plate',
  category: 'liquid_handling',
  tags: ['example', 'dilution'],
  parameters: z.object({
    dilutionFactor: z.number().min(1.1).max(100).default(2).describe('Each well is this many times more dilute than the one before'),
    transferVolume: z.number().positive().max(150).default(50).describe('Volume (µL) carried from one well to the next'),
    steps: z.number().int().min(2).max(12).default(8).describe('Wells in the series, the stock well included'),
    row: z.enum(ROWS).default('A').describe('Row of the plate the series runs along'),
  }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    diluent: { kind: 'resource', category: 'plate', description: 'Diluent: the wells of the row used' },
    plate: { kind: 'resource', category: 'plate', description: 'The series; the stock in the first well of the row' },
  },
  deckLayout: 'demo_layout',
  setupInstructions: ['Put the diluent in the row of the diluent plate', 'Put the stock in the first well of the row of the plate'],
  async run({ parameters, assets, state, log, output, requestInput }) {
    const { lh, tips, diluent, plate } = assets;
    const { dilutionFactor, transferVolume, steps, row } = parameters;
    const series = plate.row(row).slice(0, steps);
    if (series.length < steps) throw new Error(`${plate.name} row ${row} has ${series.length} wells, ${steps} are needed`);
    const diluentVolume = transferVolume * (dilutionFactor - 1);
    const capacity = Math.min(...series.map((w) => w.maxVolume));
    if (diluentVolume + transferVolume > capacity) {
      throw new Error(`a well would need ${diluentVolume + transferVolume} µL but holds ${capacity} µL: lower transferVolume or dilutionFactor`);
    }

    const answer = await requestInput({
      prompt: `Confirm the diluent is loaded in row ${row} of ${diluent.name} (${diluentVolume} µL per well) and the stock in ${series[0].name}`,
      fields: {
        confirmed: z.boolean().default(true),
        stockConcentration: z.number().positive().default(100),
        stockVolume: z.number().min(transferVolume).max(series[0].maxVolume).default(Math.min(2 * transferVolume, series[0].maxVolume)).describe('µL of stock loaded'),
        unit: z.string().min(1).default('µM'),
      },
    });
    if (!answer.confirmed) throw new Error('serial dilution stopped: the operator did not confirm that the diluent and the stock are loaded');
    const diluentWells = diluent.row(row).slice(1, steps);
    await lh.recordLiquids([series[0], ...diluentWells], [answer.stockVolume, ...diluentWells.map((w) => Math.max(w.volume, diluentVolume))]);
    state.stockConcentration = answer.stockConcentration;
    log.info(`diluting ${series[0].name} 1:${dilutionFactor} over ${steps} wells`, { stock: answer.stockConcentration, unit: answer.unit });

    const spots = tips.spots().filter((s) => s.hasTip);
    if (spots.length < steps) throw new Error(`${tips.name} holds ${spots.length} tips, ${steps} are needed`);
    await addDiluent(lh, spots[0], diluentWells, series.slice(1), diluentVolume);
    state.diluentAdded = true;

    const mixVolume = Math.min(transferVolume + diluentVolume, 0.8 * spots[1].prototypeTip.maximalVolume) / 2;
    for (let j = 1; j < steps; j++) {
      await dilute(lh, spots[j], series[j - 1], series[j], transferVolume, mixVolume);
      state.wellsDiluted = j;
    }

    const concentrations = series.map((_, j) => answer.stockConcentration / dilutionFactor ** j);
    series.forEach((w, j) => output(`concentration_${w.name}`, concentrations[j], { type: 'concentration', resource: w }));
    output('concentration_unit', answer.unit, { type: 'unit' });
    return { wells: series.map((w) => w.name), concentrations, unit: answer.unit };
  },
});
