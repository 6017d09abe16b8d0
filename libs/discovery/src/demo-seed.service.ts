import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Resource, ResourceDefinition, ResourceStatus, Workcell } from '@praxis/assets';
import { AppConfig } from '@praxis/config';
import { Deck, DeckLayout, DeckType } from '@praxis/decks';
import { buildDeckLayout, Container, createLabware, getDeckType, type LayoutPlacement } from '@praxis/hardware';
import { Machine, MachineDefinition, MachineStatus } from '@praxis/machines';
import { DataSource, type EntityManager } from 'typeorm';

export const DEMO_WORKCELL = 'demo';
/** Liquid in each well of the demo's source plate (µL). */
export const DEMO_SOURCE_VOLUME_UL = 300;

/** The demo layout: a STARlet with tips on rails 1 and two 96-well plates on rails 9. */
export const DEMO_PLACEMENTS: LayoutPlacement[] = [
  { name: 'tip_car', definition: 'TIP_CAR_480_A00', rails: 1 },
  { name: 'tips_1000_1', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 0 },
  { name: 'tips_1000_2', definition: 'hamilton_96_tiprack_1000uL', parent: 'tip_car', site: 1 },
  { name: 'plate_car', definition: 'PLT_CAR_L5AC_A00', rails: 9 },
  { name: 'source_plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 0 },
  { name: 'destination_plate', definition: 'cor_96_wellplate_360uL_Fb', parent: 'plate_car', site: 1 },
];

const DEMO_MACHINES = [
  { name: 'starlet', definition: 'Hamilton STARlet', backend: 'simulator', config: { numChannels: 8, has96Head: true, hasGripper: true, timeModel: true } },
  { name: 'plate_reader', definition: 'BMG CLARIOstar', backend: 'simulator', config: { timeModel: true } },
  { name: 'heater_shaker', definition: 'Inheco ThermoShake', backend: 'simulator', config: { timeModel: true } },
];

/**
 * Seeds the demo workcell once (idempotent: an existing `demo` workcell is left as it is): a
 * simulated STARlet with its deck and layout, the labware of the layout as resources, and a
 * simulated plate reader and heater-shaker. Needs the catalogs synced first.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Optional() private readonly config?: AppConfig,
  ) {}

  async seed(): Promise<{ created: boolean }> {
    return this.db.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock(7362152)');
      if (await em.getRepository(Workcell).existsBy({ name: DEMO_WORKCELL })) return { created: false };
      const workcell = await em.getRepository(Workcell).save(
        em.getRepository(Workcell).create({ name: DEMO_WORKCELL, description: 'Simulated STARlet, plate reader and heater-shaker', location: 'simulation', properties: { demo: true } }),
      );
      const machines: Record<string, Machine> = {};
      for (const m of DEMO_MACHINES) {
        const def = await em.getRepository(MachineDefinition).findOneByOrFail({ name: m.definition });
        machines[m.name] = await em.getRepository(Machine).save(
          em.getRepository(Machine).create({
            name: m.name,
            workcellId: workcell.id,
            definitionId: def.id,
            category: def.category,
            backend: m.backend,
            connectionConfig: m.name === 'starlet' && this.config?.demoSpeed ? { ...m.config, realTimeSpeed: this.config.demoSpeed } : m.config,
            status: MachineStatus.Available,
            statusReason: null,
            currentRunId: null,
            properties: {},
          }),
        );
      }
      const deckType = await em.getRepository(DeckType).findOneByOrFail({ name: 'STARletDeck' });
      // Validate with the hardware library before writing anything of the layout.
      const deck = buildDeckLayout(getDeckType(deckType.name), DEMO_PLACEMENTS, createLabware);
      // The demo's source plate comes filled: 300 µL in every well, so the examples run as they are.
      for (const r of deck.getResource('source_plate').children) if (r instanceof Container) r.setVolume(DEMO_SOURCE_VOLUME_UL);
      const layout = await em.getRepository(DeckLayout).save(
        em.getRepository(DeckLayout).create({
          name: 'demo_layout',
          description: 'Tips on rails 1, source and destination plates on rails 9',
          deckTypeId: deckType.id,
          workcellId: workcell.id,
          placements: DEMO_PLACEMENTS,
          properties: {},
        }),
      );
      await em.getRepository(Deck).save(
        em.getRepository(Deck).create({
          name: 'starlet_deck',
          workcellId: workcell.id,
          machineId: machines.starlet.id,
          deckTypeId: deckType.id,
          layoutId: layout.id,
          state: deck.serializeAllState() as Record<string, unknown>,
          properties: {},
        }),
      );
      await this.seedResources(em, workcell.id, deck.serializeAllState());
      this.logger.log(`Seeded the demo workcell "${DEMO_WORKCELL}"`);
      return { created: true };
    });
  }

  private async seedResources(em: EntityManager, workcellId: string, state: Record<string, unknown>): Promise<void> {
    const defs = await em.getRepository(ResourceDefinition).find();
    const byName = new Map(defs.map((d) => [d.name, d]));
    const ids = new Map<string, string>();
    for (const p of DEMO_PLACEMENTS) {
      const def = byName.get(p.definition)!;
      // The last known state of the labware's own parts (tips present, well volumes).
      const own = Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith(`${p.name}_`)));
      const row = await em.getRepository(Resource).save(
        em.getRepository(Resource).create({
          name: p.name,
          definitionId: def.id,
          category: def.category,
          workcellId,
          parentId: p.parent ? ids.get(p.parent)! : null,
          location: p.rails !== undefined ? { rails: p.rails } : { site: p.site },
          status: ResourceStatus.AvailableOnDeck,
          currentRunId: null,
          state: Object.keys(own).length ? own : null,
          properties: { demo: true },
        }),
      );
      ids.set(p.name, row.id);
    }
  }
}
