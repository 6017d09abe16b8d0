import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DeckLayoutsService } from '@praxis/decks';
import { createMachine, type Deck, type Machine, type MachineSpec, type ResourceStateMap } from '@praxis/hardware';
import { DataSource } from 'typeorm';

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
  /** The deck row's `updatedAt` as last loaded or saved here: another writer (a worker, an edit) changes it. */
  deckVersion: string | null;
  /** The machine whose deck it is: only runs holding it save the deck state. */
  deckMachine: string | null;
  /** Runs of this worker using the runtime now (it is not rebuilt under them). */
  users: number;
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

  /**
   * The workcell's runtime. Called with the run's assets locked: when the deck was saved by
   * someone else since this worker last loaded or saved it (another worker ran the previous run,
   * or the deck was edited), the runtime is rebuilt from the database, so no worker ever works
   * on a stale deck or a simulator that remembers an old one.
   */
  async get(workcellId: string): Promise<WorkcellRuntime> {
    const cached = this.runtimes.get(workcellId);
    if (cached) {
      const rt = await cached.catch(() => null);
      if (rt && (await this.current(rt))) return rt;
      if (rt && rt.users > 0) {
        // Machines in use here: keep them, take the deck state someone else saved.
        await this.reloadDeckState(rt);
        return rt;
      }
      if (rt) await this.teardown(rt);
      this.runtimes.delete(workcellId);
    }
    const fresh = this.build(workcellId);
    this.runtimes.set(workcellId, fresh);
    fresh.catch(() => this.runtimes.delete(workcellId));
    return fresh;
  }

  private async current(rt: WorkcellRuntime): Promise<boolean> {
    if (!rt.deckId) return true;
    const rows = (await this.db.query('SELECT "updatedAt"::text AS v FROM decks WHERE id = $1', [rt.deckId])) as Array<{ v: string }>;
    return rows[0]?.v === rt.deckVersion;
  }

  private async reloadDeckState(rt: WorkcellRuntime): Promise<void> {
    const rows = (await this.db.query('SELECT state, "updatedAt"::text AS v FROM decks WHERE id = $1', [rt.deckId])) as Array<{ state: ResourceStateMap | null; v: string }>;
    if (rows[0]?.state && rt.deck) rt.deck.loadAllState(rows[0].state);
    rt.deckVersion = rows[0]?.v ?? null;
  }

  private async teardown(rt: WorkcellRuntime): Promise<void> {
    for (const { machine } of rt.machines.values()) await machine.stop().catch(() => undefined);
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
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected].
    const [rows] = (await this.db.query('UPDATE decks SET state = $2, "updatedAt" = clock_timestamp() WHERE id = $1 RETURNING "updatedAt"::text AS v', [
      rt.deckId,
      JSON.stringify(rt.deck.serializeAllState()),
    ])) as [Array<{ v: string }>, number];
    if (rows[0]) rt.deckVersion = rows[0].v;
  }

  private async build(workcellId: string): Promise<WorkcellRuntime> {
    const decks = (await this.db.query(
      `SELECT d.id, d."machineId", d."layoutId", d.state, d."updatedAt"::text AS version FROM decks d WHERE d."workcellId" = $1 AND d."layoutId" IS NOT NULL ORDER BY d."createdAt" LIMIT 1`,
      [workcellId],
    )) as Array<{ id: string; machineId: string | null; layoutId: string; state: ResourceStateMap | null; version: string }>;
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
    const rows = (await this.db.query('SELECT id, name, category, backend, "connectionConfig" FROM machines WHERE "workcellId" = $1', [workcellId])) as Array<MachineSpec & { id: string }>;
    const machines = new Map<string, { id: string; machine: Machine }>();
    let deckMachine: string | null = null;
    for (const row of rows) {
      try {
        const onDeck = row.category === 'LiquidHandler' && deckRow && (deckRow.machineId === row.id || deckRow.machineId === null) ? deck : null;
        if (onDeck) deckMachine ??= row.name;
        machines.set(row.name, { id: row.id, machine: createMachine(row, onDeck) });
      } catch (err) {
        this.logger.warn({ workcellId, machine: row.name, err: (err as Error).message }, 'machine has no driver here');
      }
    }
    const resources = (await this.db.query('SELECT name FROM resources WHERE "workcellId" = $1', [workcellId])) as Array<{ name: string }>;
    return { workcellId, deck, deckId: deckRow?.id ?? null, machines, resourceNames: new Set(resources.map((r) => r.name)), deckVersion: deckRow?.version ?? null, deckMachine, users: 0 };
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
