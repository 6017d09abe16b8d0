import { WorkcellsService } from '@praxis/assets';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AppException, ErrorCode, type FieldError, type Page } from '@praxis/common';
import { paginate, rethrowDbConflict } from '@praxis/database';
import {
  buildDeckLayout,
  createLabware,
  type Deck as HardwareDeck,
  LayoutError,
  type LayoutPlacement,
  type Resource,
  type SerializedResource,
} from '@praxis/hardware';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { buildRenamed } from '../deck-hardware.js';
import { DeckLayout } from '../deck-layout.entity.js';
import type { DeckType } from '../deck-type.entity.js';
import { DeckTypesService } from '../deck-types/deck-types.service.js';
import { CreateDeckLayoutDto, LayoutPlacementDto, ListDeckLayoutsQueryDto, UpdateDeckLayoutDto } from './deck-layout.dto.js';

/** Advisory lock class of deck layout names (their unique index does not cover layouts of no workcell). */
const LAYOUT_NAME_LOCK = 7362160;

interface DefinitionRow {
  name: string;
  category: string;
  source: 'catalog' | 'custom';
  layout: SerializedResource | null;
}

/** Only the fields a placement has, in a fixed order (what is stored). */
function normalize(p: LayoutPlacementDto | LayoutPlacement): LayoutPlacement {
  const out: LayoutPlacement = { name: p.name, definition: p.definition };
  if (p.rails !== undefined) out.rails = p.rails;
  if (p.slot !== undefined) out.slot = p.slot;
  if (p.parent !== undefined) out.parent = p.parent;
  if (p.site !== undefined) out.site = p.site;
  return out;
}

/** A hardware layout error as a 400 naming `placements.<index>.<field>` and both resources. */
function layoutException(err: LayoutError, placements: readonly LayoutPlacement[]): AppException {
  const index =
    err.field === 'name' ? placements.map((p) => p.name).lastIndexOf(err.placement) : placements.findIndex((p) => p.name === err.placement);
  const field = err.field === 'placements' || index < 0 ? 'placements' : `placements.${index}.${err.field}`;
  const message = err.other && !err.message.includes(err.other) ? `${err.message} (${err.other})` : err.message;
  return new AppException(ErrorCode.VALIDATION_FAILED, `Invalid layout: ${field}: ${message}`, {
    fields: [field],
    errors: [{ field, message }],
    placement: err.placement,
    other: err.other ?? null,
  });
}

@Injectable()
export class DeckLayoutsService {
  constructor(
    @InjectRepository(DeckLayout) private readonly layouts: Repository<DeckLayout>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly deckTypes: DeckTypesService,
    private readonly workcells: WorkcellsService,
  ) {}

  list(query: ListDeckLayoutsQueryDto): Promise<Page<DeckLayout>> {
    const qb = this.layouts.createQueryBuilder('l');
    if (query.deckTypeId !== undefined) qb.andWhere('l.deckTypeId = :deckTypeId', { deckTypeId: query.deckTypeId });
    if (query.workcellId !== undefined) qb.andWhere('l.workcellId = :workcellId', { workcellId: query.workcellId });
    return paginate(qb, query, { sortable: ['createdAt', 'updatedAt', 'name'], defaultSort: 'name' });
  }

  async get(id: string): Promise<DeckLayout> {
    const l = await this.layouts.findOneBy({ id });
    if (!l) throw AppException.notFound('Deck layout', id);
    return l;
  }

  async create(dto: CreateDeckLayoutDto): Promise<DeckLayout> {
    const [deckType, workcellOk] = await Promise.all([
      this.deckTypes.find(dto.deckTypeId),
      dto.workcellId === undefined ? true : this.workcells.exists(dto.workcellId),
    ]);
    const errors: FieldError[] = [];
    if (!deckType) errors.push({ field: 'deckTypeId', message: `deckTypeId: no deck type ${dto.deckTypeId}` });
    if (!workcellOk) errors.push({ field: 'workcellId', message: `workcellId: no workcell ${dto.workcellId}` });
    if (!deckType || errors.length) throw AppException.validation(errors);
    const placements = dto.placements.map(normalize);
    await this.buildPlacements(deckType, placements);
    const layout = this.layouts.create({
      name: dto.name,
      description: dto.description ?? null,
      deckTypeId: deckType.id,
      workcellId: dto.workcellId ?? null,
      placements,
      properties: dto.properties ?? {},
    });
    return this.saveUniqueName(layout);
  }

  async update(id: string, dto: UpdateDeckLayoutDto): Promise<DeckLayout> {
    const layout = await this.get(id);
    if (dto.placements !== undefined) {
      const placements = dto.placements.map(normalize);
      await this.buildPlacements(await this.deckTypes.get(layout.deckTypeId), placements);
      layout.placements = placements;
    }
    if (dto.name !== undefined) layout.name = dto.name;
    if (dto.description !== undefined) layout.description = dto.description;
    if (dto.properties !== undefined) layout.properties = dto.properties;
    return this.saveUniqueName(layout);
  }

  async remove(id: string): Promise<void> {
    const layout = await this.get(id);
    const users = (await this.db.query('SELECT name FROM decks WHERE "layoutId" = $1 ORDER BY name LIMIT 10', [layout.id])) as Array<{ name: string }>;
    if (users.length) {
      const names = users.map((d) => d.name);
      throw AppException.conflict(`Deck layout ${layout.name} is used by deck${names.length > 1 ? 's' : ''} ${names.join(', ')}`, { decks: names });
    }
    await this.layouts.delete({ id: layout.id }).catch((err) => rethrowDbConflict(err, `Deck layout ${layout.name}`));
  }

  /**
   * The live hardware deck of a stored layout (by id or entity), as the execution engine uses it.
   * A layout that no longer builds (a definition changed or went away) is a 409 naming the placement.
   */
  async build(layoutOrId: string | DeckLayout, deckName = 'deck'): Promise<HardwareDeck> {
    const layout = typeof layoutOrId === 'string' ? await this.get(layoutOrId) : layoutOrId;
    const deckType = await this.deckTypes.get(layout.deckTypeId);
    try {
      return await this.buildPlacements(deckType, layout.placements, deckName);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.VALIDATION_FAILED) {
        throw AppException.conflict(`Deck layout ${layout.name} no longer builds: ${err.message}`, err.details);
      }
      throw err;
    }
  }

  /** The layout built into a live deck, serialized by the hardware library: what a visualizer draws. */
  async render(id: string): Promise<SerializedResource> {
    return (await this.build(id)).serialize();
  }

  /**
   * Builds placements on a deck type with the hardware library. Definitions are looked up by name
   * in `resource_definitions` (one query): catalog ones are built by the catalog, custom ones from
   * their stored layout, renamed to the placement's name. Any problem is a 400 naming the field.
   */
  private async buildPlacements(deckType: DeckType, placements: readonly LayoutPlacement[], deckName = 'deck'): Promise<HardwareDeck> {
    const hw = this.deckTypes.hardware(deckType);
    const names = [...new Set(placements.map((p) => p.definition))];
    const rows: DefinitionRow[] = names.length
      ? await this.db.query(
          `SELECT name, category, source, CASE WHEN source = 'custom' THEN layout END AS layout FROM resource_definitions WHERE name = ANY($1::text[])`,
          [names],
        )
      : [];
    const byName = new Map(rows.map((r) => [r.name, r]));
    const errors: FieldError[] = [];
    placements.forEach((p, i) => {
      const field = `placements.${i}.definition`;
      const row = byName.get(p.definition);
      if (!row) errors.push({ field, message: `${field}: ${p.name} has an unknown resource definition "${p.definition}"` });
      else if (row.category === 'deck') errors.push({ field, message: `${field}: ${p.definition} is a deck, not something to place on one` });
    });
    if (errors.length) throw AppException.validation(errors);
    const create = (definition: string, name: string): Resource => {
      const row = byName.get(definition)!;
      if (row.source === 'custom') {
        if (!row.layout) throw new Error(`custom definition ${definition} has no layout`);
        return buildRenamed(row.layout, name);
      }
      return createLabware(definition, name);
    };
    try {
      return buildDeckLayout(hw, placements, create, deckName);
    } catch (err) {
      if (err instanceof LayoutError) throw layoutException(err, placements);
      throw err;
    }
  }


  /**
   * Saves under a lock on the (workcell, name) pair: the unique index leaves layouts of no
   * workcell (NULL) unchecked, so the name is checked here for every layout.
   */
  private saveUniqueName(layout: DeckLayout): Promise<DeckLayout> {
    const what = `A deck layout named ${layout.name}${layout.workcellId ? ' in this workcell' : ''}`;
    return this.db
      .transaction(async (em: EntityManager) => {
        await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LAYOUT_NAME_LOCK, `${layout.workcellId ?? ''}/${layout.name}`]);
        const taken = (await em.query(
          'SELECT 1 FROM deck_layouts WHERE name = $1 AND "workcellId" IS NOT DISTINCT FROM $2 AND id IS DISTINCT FROM $3 LIMIT 1',
          [layout.name, layout.workcellId, layout.id ?? null],
        )) as unknown[];
        if (taken.length) throw new AppException(ErrorCode.ALREADY_EXISTS, `${what} already exists`, { field: 'name' });
        return em.getRepository(DeckLayout).save(layout);
      })
      .catch((err) => rethrowDbConflict(err, what));
  }
}
