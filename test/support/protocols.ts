// Protocols the fault tests register from a folder source.

// Checkpoints its progress in the run state, so a restart carries on where the last run stopped.
export const RESUMABLE = `
import { defineProtocol, step, z } from '@praxis/protocol';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const move = step('move', async (lh: any, tip: any, src: any, dst: any, v: number) => {
  await lh.pickUpTips([tip]); await lh.aspirate([src], [v]); await lh.dispense([dst], [v]); await lh.dropTips([tip]);
});
export default defineProtocol({
  name: 'resumable', version: '1.0.0',
  parameters: z.object({ wells: z.number().int().default(24), delayMs: z.number().int().default(120) }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    source: { kind: 'resource', category: 'plate' },
    destination: { kind: 'resource', category: 'plate' },
  },
  deckLayout: 'demo_layout',
  async run({ parameters, assets, state }) {
    const wells = assets.source.wells(); const targets = assets.destination.wells(); const spots = assets.tips.spots();
    for (let i = state.get<number>('done', 0); i < parameters.wells; i++) {
      await move(assets.lh, spots[i], wells[i], targets[i], 3);
      state.done = i + 1;
      await sleep(parameters.delayMs);
    }
    return { done: state.done };
  },
});
`;
