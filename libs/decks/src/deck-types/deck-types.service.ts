import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import { paginate, rethrowDbConflict } from '@praxis/database';
import { DECK_TYPES, type DeckTypeDefinition } from '@praxis/hardware';
import { Repository } from 'typeorm';
import { hardwareDeckType } from '../deck-hardware.js';
import { DeckType } from '../deck-type.entity.js';
import { CreateDeckTypeDto, ListDeckTypesQueryDto } from './deck-type.dto.js';

@Injectable()
export class DeckTypesService {
  constructor(@InjectRepository(DeckType) private readonly types: Repository<DeckType>) {}

  list(query: ListDeckTypesQueryDto): Promise<Page<DeckType>> {
    const qb = this.types.createQueryBuilder('t');
    if (query.manufacturer !== undefined) qb.andWhere('t.manufacturer = :manufacturer', { manufacturer: query.manufacturer });
    if (query.positionKind !== undefined) qb.andWhere('t.positionKind = :positionKind', { positionKind: query.positionKind });
    return paginate(qb, query, { sortable: ['createdAt', 'updatedAt', 'name', 'manufacturer', 'model'], defaultSort: 'name' });
  }

  async get(id: string): Promise<DeckType> {
    const t = await this.types.findOneBy({ id });
    if (!t) throw AppException.notFound('Deck type', id);
    return t;
  }

  find(id: string): Promise<DeckType | null> {
    return this.types.findOneBy({ id });
  }

  /** The hardware library's deck type behind a row (null when the library cannot build it). */
  basedOn(t: DeckType): string | null {
    return hardwareDeckType(t)?.name ?? null;
  }

  /** Like `basedOn`, for building: a 400 naming `field` when the library cannot build this deck type. */
  hardware(t: DeckType, field = 'deckTypeId'): DeckTypeDefinition {
    const hw = hardwareDeckType(t);
    if (!hw) throw AppException.validation([{ field, message: `${field}: the hardware library cannot build deck type ${t.name}` }]);
    return hw;
  }

  /** Adds a custom deck type with the geometry of an existing one (`basedOn`). */
  async create(dto: CreateDeckTypeDto): Promise<DeckType> {
    if (DECK_TYPES.some((d) => d.name === dto.name)) {
      throw AppException.validation([{ field: 'name', message: `name: ${dto.name} is reserved for the hardware library's deck type of that name` }]);
    }
    const base = await this.types.findOneBy({ name: dto.basedOn });
    if (!base) {
      const known = (await this.types.find({ select: { name: true }, order: { name: 'ASC' }, take: 20 })).map((t) => t.name);
      throw AppException.validation([{ field: 'basedOn', message: `basedOn: no deck type named "${dto.basedOn}"${known.length ? ` (known: ${known.join(', ')})` : ' (run the catalog sync first)'}` }]);
    }
    const hw = this.hardware(base, 'basedOn');
    const deck = hw.create('deck');
    const t = this.types.create({
      name: dto.name,
      manufacturer: dto.manufacturer ?? base.manufacturer,
      model: dto.model ?? base.model,
      positionKind: hw.positionKind,
      positions: hw.positions,
      dimensions: { x: deck.sizeX, y: deck.sizeY, z: deck.sizeZ },
      layout: deck.serialize() as unknown as Record<string, unknown>,
      source: 'custom',
      properties: dto.properties ?? {},
    });
    return this.types.save(t).catch((err) => rethrowDbConflict(err, `A deck type named ${dto.name}`));
  }
}
