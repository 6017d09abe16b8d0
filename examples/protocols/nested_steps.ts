// Plate preparation with steps nested three deep: `prepare_plate` calls `fill_column` for each
// column, which calls `transfer_well` for each of its wells. Each level keeps its own progress in
// the run state, so a run's step tree shows which step changed what:
//   transfer_well: `wellsFilled` (+1) and `volumeDispensed` (+volume)
//   fill_column:   `columnsFilled` (+1)
//   prepare_plate: `plateReady` (true)
import type { Container, LiquidHandler, Plate, TipRack, TipSpot } from '@praxis/hardware';
import { defineProtocol, step, z, type StateAccess } from '@praxis/protocol';

/** The steps of one run: they share its state. */
function plateSteps(state: StateAccess) {
  const transferWell = step('transfer_well', async (lh: LiquidHandler, tip: TipSpot, src: Container, dst: Container, volume: number) => {
    await lh.pickUpTips([tip]);
    await lh.aspirate([src], [volume]);
    await lh.dispense([dst], [volume]);
    await lh.dropTips([tip]);
    state.wellsFilled = state.get<number>('wellsFilled', 0) + 1;
    state.volumeDispensed = state.get<number>('volumeDispensed', 0) + volume;
  });

  const fillColumn = step('fill_column', async (lh: LiquidHandler, tips: TipRack, source: Plate, target: Plate, column: number, volume: number) => {
    const spots = tips.column(column);
    const from = source.column(column);
    const to = target.column(column);
    for (let i = 0; i < to.length; i++) await transferWell(lh, spots[i], from[i], to[i], volume);
    state.columnsFilled = state.get<number>('columnsFilled', 0) + 1;
    return { column, wells: to.length };
  });

  const preparePlate = step('prepare_plate', async (lh: LiquidHandler, tips: TipRack, source: Plate, target: Plate, columns: number, volume: number) => {
    for (let c = 1; c <= columns; c++) await fillColumn(lh, tips, source, target, c, volume);
    state.plateReady = true;
    return { columns, wells: columns * target.numItemsY };
  });

  return { transferWell, fillColumn, preparePlate };
}

export default defineProtocol({
  name: 'nested_steps',
  version: '1.0.0',
  description: 'Prepare a plate column by column: steps nested three deep (prepare_plate → fill_column → transfer_well)',
  category: 'liquid_handling',
  tags: ['example', 'nested'],
  parameters: z.object({
    columns: z.number().int().min(1).max(12).default(2).describe('Columns to fill, from column 1'),
    volume: z.number().positive().max(300).default(20).describe('Volume (µL) per well'),
  }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    source: { kind: 'resource', category: 'plate' },
    target: { kind: 'resource', category: 'plate' },
  },
  deckLayout: 'demo_layout',
  async run({ parameters, assets, state, log, output }) {
    const { lh, tips, source, target } = assets;
    const { preparePlate } = plateSteps(state);
    log.info(`preparing ${target.name}: ${parameters.columns} columns of ${parameters.volume} µL`);
    const done = await preparePlate(lh, tips, source, target, parameters.columns, parameters.volume);
    output('wells_filled', state.get<number>('wellsFilled', 0), { type: 'count', resource: target });
    output('volume_dispensed', state.get<number>('volumeDispensed', 0), { type: 'volume_uL', resource: target });
    return done;
  },
});
