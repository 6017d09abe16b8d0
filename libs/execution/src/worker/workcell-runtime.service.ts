import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DeckLayoutsService } from '@praxis/decks';
import type { Deck, Machine, ResourceStateMap } from '@praxis/hardware';
import { DataSource } from 'typeorm';
import { createLiveMachine, type MachineRow } from './machine-factory.js';

/** A workcell's live hardware, owned by this worker: set up once, kept between runs, torn down on shutdown. */
export interface WorkcellRuntime {
  workcellId: string;
  /** The deck of the workcell's liquid handler (its layout built, its last known state loaded). */
  deck: Deck | null;
  deckId: string | null;
  /** Live machines by name, with their ids. */
  machines: Map<string, { id: string; machine: Machine }>;
  /** Names of the workcell's registered resources (the assets runs reserve). */
  resourceNames: Set<string>;
}

/**
 * The WorkcellRuntime of the seeds. Machines are set up on first use; a machine that fails to set
 * up fails the run that needed it (the next run tries again). Deck state is saved to the deck row
 * after each run and on shutdown, so a restarted worker starts from the last known state.
 */
@Injectable()
export class WorkcellRuntimeService implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkcellRuntimeService.name);
  private readonly runtimes = new Map<string, Promise<WorkcellRuntime>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly layouts: DeckLayoutsService,
  ) {}

  get(workcellId: string): Promise<WorkcellRuntime> {
    let rt = this.runtimes.get(workcellId);
    if (!rt) {
      rt = this.build(workcellId);
      this.runtimes.set(workcellId, rt);
      rt.catch(() => this.runtimes.delete(workcellId));
    }
    return rt;
  }

  /** Sets up the given machines (once each; a failure is thrown and retried next time). */
  async ensureSetUp(rt: WorkcellRuntime, names: string[]): Promise<void> {
    for (const n of names) {
      const m = rt.machines.get(n);
      if (m && !m.machine.setupFinished) await m.machine.setup();
    }
  }

  async saveDeckState(rt: WorkcellRuntime): Promise<void> {
    if (!rt.deck || !rt.deckId) return;
    await this.db.query('UPDATE decks SET state = $2, "updatedAt" = now() WHERE id = $1', [rt.deckId, JSON.stringify(rt.deck.serializeAllState())]);
  }

  private async build(workcellId: string): Promise<WorkcellRuntime> {
    const decks = (await this.db.query(
      `SELECT d.id, d."machineId", d."layoutId", d.state FROM decks d WHERE d."workcellId" = $1 AND d."layoutId" IS NOT NULL ORDER BY d."createdAt" LIMIT 1`,
      [workcellId],
    )) as Array<{ id: string; machineId: string | null; layoutId: string; state: ResourceStateMap | null }>;
    let deck: Deck | null = null;
    const deckRow = decks[0];
    if (deckRow) {
      deck = await this.layouts.build(deckRow.layoutId);
      if (deckRow.state) {
        try {
          deck.loadAllState(deckRow.state);
        } catch (err) {
          this.logger.warn({ workcellId, err: (err as Error).message }, 'saved deck state does not fit the layout; starting from the layout');
        }
      }
    }
    const rows = (await this.db.query('SELECT id, name, category, backend, "connectionConfig" FROM machines WHERE "workcellId" = $1', [workcellId])) as MachineRow[];
    const machines = new Map<string, { id: string; machine: Machine }>();
    for (const row of rows) {
      try {
        const onDeck = row.category === 'LiquidHandler' && deckRow && (deckRow.machineId === row.id || deckRow.machineId === null) ? deck : null;
        machines.set(row.name, { id: row.id, machine: createLiveMachine(row, onDeck) });
      } catch (err) {
        this.logger.warn({ workcellId, machine: row.name, err: (err as Error).message }, 'machine has no driver here');
      }
    }
    const resources = (await this.db.query('SELECT name FROM resources WHERE "workcellId" = $1', [workcellId])) as Array<{ name: string }>;
    return { workcellId, deck, deckId: deckRow?.id ?? null, machines, resourceNames: new Set(resources.map((r) => r.name)) };
  }

  async onApplicationShutdown(): Promise<void> {
    for (const p of this.runtimes.values()) {
      const rt = await p.catch(() => null);
      if (!rt) continue;
      await this.saveDeckState(rt).catch(() => undefined);
      for (const { machine } of rt.machines.values()) await machine.stop().catch(() => undefined);
    }
    this.runtimes.clear();
  }
}
