import { WorkcellsService } from '@praxis/assets';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AppException, type FieldError, type Page } from '@praxis/common';
import { paginate, pgError, PG_UNIQUE_VIOLATION, rethrowDbConflict } from '@praxis/database';
import { stateView, type ResourceStateMap } from '@praxis/hardware';
import { DataSource, Repository } from 'typeorm';
import type { DeckType } from '../deck-type.entity.js';
import { Deck } from '../deck.entity.js';
import { DeckTypesService } from '../deck-types/deck-types.service.js';
import { DeckLayoutsService } from '../layouts/deck-layouts.service.js';
import { CreateDeckDto, DeckStateDto, ListDecksQueryDto, UpdateDeckDto } from './deck.dto.js';

interface MachineRow {
  name: string;
  workcellId: string;
  definition: string | null;
  deckType: string | null;
}

interface LayoutRow {
  name: string;
  deckTypeId: string;
  workcellId: string | null;
}

@Injectable()
export class DecksService {
  constructor(
    @InjectRepository(Deck) private readonly decks: Repository<Deck>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly deckTypes: DeckTypesService,
    private readonly workcells: WorkcellsService,
    private readonly layouts: DeckLayoutsService,
  ) {}

  list(query: ListDecksQueryDto): Promise<Page<Deck>> {
    const qb = this.decks.createQueryBuilder('d');
    for (const k of ['workcellId', 'deckTypeId', 'machineId'] as const) {
      if (query[k] !== undefined) qb.andWhere(`d.${k} = :${k}`, { [k]: query[k] });
    }
    return paginate(qb, query, { sortable: ['createdAt', 'updatedAt', 'name'], defaultSort: 'name' });
  }

  async get(id: string): Promise<Deck> {
    const d = await this.decks.findOneBy({ id });
    if (!d) throw AppException.notFound('Deck', id);
    return d;
  }

  /**
   * Tips and liquids of the deck: its layout built by the hardware library with the saved state
   * loaded, so every tip spot and container is answered (a deck never run shows the layout's own
   * state: full tip racks, empty wells). A saved state that no longer fits the layout is ignored,
   * as the worker does.
   */
  async state(id: string): Promise<DeckStateDto> {
    const d = await this.get(id);
    if (!d.layoutId) return { deckId: d.id, layoutId: null, savedAt: null, resources: stateView(d.state ?? {}) };
    const deck = await this.layouts.build(d.layoutId);
    let saved = false;
    if (d.state) {
      try {
        deck.loadAllState(d.state as ResourceStateMap);
        saved = true;
      } catch {
        // The layout changed since: show it as it is.
      }
    }
    return { deckId: d.id, layoutId: d.layoutId, savedAt: saved ? d.updatedAt : null, resources: stateView(deck.serializeAllState()) };
  }

  async create(dto: CreateDeckDto): Promise<Deck> {
    const [workcellOk, deckType] = await Promise.all([this.workcells.exists(dto.workcellId), this.deckTypes.find(dto.deckTypeId)]);
    const errors: FieldError[] = [];
    if (!workcellOk) errors.push({ field: 'workcellId', message: `workcellId: no workcell ${dto.workcellId}` });
    if (!deckType) errors.push({ field: 'deckTypeId', message: `deckTypeId: no deck type ${dto.deckTypeId}` });
    if (deckType && workcellOk) {
      if (dto.machineId !== undefined) errors.push(...(await this.checkMachine(dto.machineId, dto.workcellId, deckType)));
      if (dto.layoutId !== undefined) errors.push(...(await this.checkLayout(dto.layoutId, dto.workcellId, deckType)));
    }
    if (errors.length) throw AppException.validation(errors);
    if (dto.machineId !== undefined) await this.assertMachineFree(dto.machineId);
    const deck = this.decks.create({
      name: dto.name,
      workcellId: dto.workcellId,
      deckTypeId: dto.deckTypeId,
      machineId: dto.machineId ?? null,
      layoutId: dto.layoutId ?? null,
      properties: dto.properties ?? {},
    });
    return this.save(deck);
  }

  async update(id: string, dto: UpdateDeckDto): Promise<Deck> {
    const deck = await this.get(id);
    const changesMachine = dto.machineId !== undefined && dto.machineId !== null && dto.machineId !== deck.machineId;
    const changesLayout = dto.layoutId !== undefined && dto.layoutId !== null && dto.layoutId !== deck.layoutId;
    if (changesMachine || changesLayout) {
      const deckType = await this.deckTypes.get(deck.deckTypeId);
      const errors: FieldError[] = [];
      if (changesMachine) errors.push(...(await this.checkMachine(dto.machineId!, deck.workcellId, deckType)));
      if (changesLayout) errors.push(...(await this.checkLayout(dto.layoutId!, deck.workcellId, deckType)));
      if (errors.length) throw AppException.validation(errors);
      if (changesMachine) await this.assertMachineFree(dto.machineId!, deck.id);
    }
    if (dto.name !== undefined) deck.name = dto.name;
    if (dto.machineId !== undefined) deck.machineId = dto.machineId;
    if (dto.layoutId !== undefined) deck.layoutId = dto.layoutId;
    if (dto.properties !== undefined) deck.properties = dto.properties;
    return this.save(deck);
  }

  async remove(id: string): Promise<void> {
    const deck = await this.get(id);
    await this.decks.delete({ id: deck.id }).catch((err) => rethrowDbConflict(err, `Deck ${deck.name}`));
  }

  /** A machine for a deck: it exists, stands in the deck's workcell, and its definition has a deck of this type. */
  private async checkMachine(machineId: string, workcellId: string, deckType: DeckType): Promise<FieldError[]> {
    const [m] = (await this.db.query(
      `SELECT m.name, m."workcellId", d.name AS definition, d."deckType"
         FROM machines m LEFT JOIN machine_definitions d ON d.id = m."definitionId"
        WHERE m.id = $1`,
      [machineId],
    )) as MachineRow[];
    const field = 'machineId';
    if (!m) return [{ field, message: `machineId: no machine ${machineId}` }];
    if (m.workcellId !== workcellId) return [{ field, message: `machineId: machine ${m.name} is in another workcell` }];
    if (!m.deckType) return [{ field, message: `machineId: machine ${m.name} (${m.definition ?? 'no definition'}) has no deck` }];
    if (m.deckType !== deckType.name) {
      return [{ field, message: `machineId: machine ${m.name} (${m.definition}) has deck type ${m.deckType}, not ${deckType.name}` }];
    }
    return [];
  }

  /** A layout for a deck: it exists, is of the deck's type, and belongs to no workcell or the deck's. */
  private async checkLayout(layoutId: string, workcellId: string, deckType: DeckType): Promise<FieldError[]> {
    const [l] = (await this.db.query('SELECT name, "deckTypeId", "workcellId" FROM deck_layouts WHERE id = $1', [layoutId])) as LayoutRow[];
    const field = 'layoutId';
    if (!l) return [{ field, message: `layoutId: no deck layout ${layoutId}` }];
    if (l.deckTypeId !== deckType.id) {
      const [other] = (await this.db.query('SELECT name FROM deck_types WHERE id = $1', [l.deckTypeId])) as Array<{ name: string }>;
      return [{ field, message: `layoutId: deck layout ${l.name} is for deck type ${other?.name ?? l.deckTypeId}, not ${deckType.name}` }];
    }
    if (l.workcellId !== null && l.workcellId !== workcellId) return [{ field, message: `layoutId: deck layout ${l.name} belongs to another workcell` }];
    return [];
  }

  /** One deck per machine: 409 naming the deck it already has. */
  private async assertMachineFree(machineId: string, exceptDeckId?: string): Promise<void> {
    const [other] = (await this.db.query('SELECT id, name FROM decks WHERE "machineId" = $1 AND id IS DISTINCT FROM $2', [machineId, exceptDeckId ?? null])) as Array<{
      id: string;
      name: string;
    }>;
    if (other) throw AppException.conflict(`Machine ${machineId} already has a deck (${other.name})`, { field: 'machineId', deckId: other.id });
  }


  private save(deck: Deck): Promise<Deck> {
    return this.decks.save(deck).catch((err) => {
      const pg = pgError(err);
      if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'UQ_decks_machine') {
        throw AppException.conflict(`Machine ${deck.machineId} already has a deck`, { field: 'machineId' });
      }
      return rethrowDbConflict(err, `A deck named ${deck.name} in this workcell`);
    });
  }
}
