import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ResourceDefinition } from '@praxis/assets';
import { DeckType } from '@praxis/decks';
import { DECK_TYPES, LABWARE_CATALOG, MACHINE_KINDS } from '@praxis/hardware';
import { MachineDefinition } from '@praxis/machines';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { canonicalJson } from './canonical.js';

export interface SyncCounts {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Custom definitions with a catalog name: left as they are. */
  skipped: string[];
}

export interface SyncReport {
  resourceDefinitions: SyncCounts;
  machineDefinitions: SyncCounts;
  deckTypes: SyncCounts;
}

const SYNC_LOCK = 7362151;

/**
 * Upserts the hardware library's catalogs (labware, carriers, deck types, machine kinds and their
 * backends) into the definition tables. Idempotent: a second run reports everything unchanged.
 * Runs in one transaction under an advisory lock, so concurrent syncs do not collide.
 */
@Injectable()
export class CatalogSyncService {
  private readonly logger = new Logger(CatalogSyncService.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async sync(): Promise<SyncReport> {
    const report = await this.db.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK]);
      return {
        resourceDefinitions: await this.upsert(em, ResourceDefinition, this.labware()),
        machineDefinitions: await this.upsert(em, MachineDefinition, this.machineKinds()),
        deckTypes: await this.upsert(em, DeckType, this.deckTypes()),
      };
    });
    const n = (c: SyncCounts) => `${c.created.length} created, ${c.updated.length} updated, ${c.unchanged.length} unchanged`;
    this.logger.log(`Catalog sync: labware ${n(report.resourceDefinitions)}; machines ${n(report.machineDefinitions)}; deck types ${n(report.deckTypes)}`);
    return report;
  }

  private labware(): Array<Partial<ResourceDefinition> & { name: string }> {
    return LABWARE_CATALOG.map((d) => {
      const resource = d.create(d.name);
      return {
        name: d.name,
        category: d.category,
        vendor: d.vendor,
        model: resource.model ?? d.name,
        description: d.description,
        itemCount: d.itemCount,
        plateType: d.plateType ?? null,
        wellVolumeUl: d.wellVolumeUl ?? null,
        tipVolumeUl: d.tipVolumeUl ?? null,
        dimensions: d.dimensions,
        consumable: d.consumable,
        layout: resource.serialize() as unknown as Record<string, unknown>,
        source: 'catalog' as const,
      };
    });
  }

  private machineKinds(): Array<Partial<MachineDefinition> & { name: string }> {
    return MACHINE_KINDS.map((k) => ({
      name: k.name,
      category: k.category,
      manufacturer: k.manufacturer,
      model: k.model,
      description: k.description,
      deckType: k.deckType ?? null,
      backends: k.backends,
      source: 'catalog' as const,
    }));
  }

  private deckTypes(): Array<Partial<DeckType> & { name: string }> {
    return DECK_TYPES.map((t) => {
      const deck = t.create('deck');
      return {
        name: t.name,
        manufacturer: t.manufacturer,
        model: t.model,
        positionKind: t.positionKind,
        positions: t.positions,
        dimensions: { x: deck.sizeX, y: deck.sizeY, z: deck.sizeZ },
        layout: deck.serialize() as unknown as Record<string, unknown>,
        source: 'catalog' as const,
      };
    });
  }

  private async upsert<T extends ObjectLiteral & { name: string; source: string }>(
    em: EntityManager,
    target: EntityTarget<T>,
    wanted: Array<Partial<T> & { name: string }>,
  ): Promise<SyncCounts> {
    const repo = em.getRepository(target);
    const existing = new Map((await repo.find()).map((e) => [e.name, e]));
    const counts: SyncCounts = { created: [], updated: [], unchanged: [], skipped: [] };
    for (const w of wanted) {
      const row = existing.get(w.name);
      if (!row) {
        await repo.save(repo.create(w as T));
        counts.created.push(w.name);
        continue;
      }
      if (row.source !== 'catalog') {
        counts.skipped.push(w.name);
        continue;
      }
      const changed = (Object.keys(w) as Array<keyof T>).filter((k) => canonicalJson(row[k]) !== canonicalJson(w[k]));
      if (!changed.length) {
        counts.unchanged.push(w.name);
        continue;
      }
      for (const k of changed) (row as Record<keyof T, unknown>)[k] = w[k];
      await repo.save(row);
      counts.updated.push(w.name);
    }
    return counts;
  }
}
