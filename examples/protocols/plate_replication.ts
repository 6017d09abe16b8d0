// Plate replication: copies the same volume from every well of a source plate into the same well
// of a destination plate, with a fresh tip per well (tip i for well i, dropped back into its spot).
//
// 96 `transfer_well` steps, 4 liquid-handler commands each (384 in all). Progress is kept in the
// run state (`wellsDone`), so a resumed run starts at the first well not yet done.
import type { Container, LiquidHandler, TipSpot } from '@praxis/hardware';
import { defineProtocol, step, z } from '@praxis/protocol';

/** One well: pick up the tip, aspirate from the source well, dispense into the target, drop the tip. */
export const transferWell = step('transfer_well', async (lh: LiquidHandler, tip: TipSpot, src: Container, dst: Container, volume: number) => {
  await lh.pickUpTips([tip]);
  await lh.aspirate([src], [volume]);
  await lh.dispense([dst], [volume]);
  await lh.dropTips([tip]);
});

export default defineProtocol({
  name: 'plate_replication',
  version: '1.0.0',
  description: 'Copy a volume from every well of one plate to another',
  category: 'liquid_handling',
  tags: ['example', 'replication'],
  parameters: z.object({
    volume: z.number().positive().max(300).default(50).describe('Volume (µL) copied from each well'),
  }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    source: { kind: 'resource', category: 'plate' },
    destination: { kind: 'resource', category: 'plate' },
  },
  deckLayout: 'demo_layout',
  setupInstructions: ['Fill every well of the source plate with at least the transfer volume', 'Load a full rack of tips'],
  async run({ parameters, assets, state, log, output }) {
    const { lh, tips, source, destination } = assets;
    const { volume } = parameters;
    const wells = source.wells();
    const targets = destination.wells();
    const spots = tips.spots();
    if (targets.length !== wells.length) throw new Error(`${source.name} has ${wells.length} wells but ${destination.name} has ${targets.length}`);
    if (spots.length < wells.length) throw new Error(`${tips.name} has ${spots.length} tip spots, ${wells.length} are needed`);

    const start = state.get<number>('wellsDone', 0);
    log.info(`replicating ${source.name} into ${destination.name}: ${volume} µL per well`, { from: start, wells: wells.length });
    for (let i = start; i < wells.length; i++) {
      await transferWell(lh, spots[i], wells[i], targets[i], volume);
      state.wellsDone = i + 1;
      if ((i + 1) % 12 === 0) log.debug(`${i + 1} of ${wells.length} wells done`);
    }

    const total = (wells.length - start) * volume;
    output('total_volume_transferred', total, { type: 'volume_uL', resource: destination });
    log.info(`done: ${wells.length - start} wells, ${total} µL`);
    return { wells: wells.length - start, totalVolume: total };
  },
});
