import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import { escapeLike, paginate, rethrowDbConflict } from '@praxis/database';
import { deserializeResource, ItemizedResource, type SerializedResource } from '@praxis/hardware';
import { Repository, type SelectQueryBuilder } from 'typeorm';
import { CreateResourceDefinitionDto, DefinitionFacetsDto, DefinitionFiltersDto } from './resource-definition.dto.js';
import { ResourceDefinition } from './resource-definition.entity.js';

const FACETS = ['category', 'vendor', 'itemCount', 'plateType', 'wellVolumeUl', 'tipVolumeUl'] as const;
type Facet = (typeof FACETS)[number];

@Injectable()
export class ResourceDefinitionsService {
  constructor(@InjectRepository(ResourceDefinition) private readonly defs: Repository<ResourceDefinition>) {}

  private filtered(f: DefinitionFiltersDto, except?: Facet): SelectQueryBuilder<ResourceDefinition> {
    const qb = this.defs.createQueryBuilder('d');
    for (const k of FACETS) {
      if (k === except || f[k] === undefined) continue;
      qb.andWhere(`d.${k} = :${k}`, { [k]: f[k] });
    }
    if (f.consumable !== undefined) qb.andWhere('d.consumable = :consumable', { consumable: f.consumable });
    if (f.search) qb.andWhere('(d.name ILIKE :s OR d.description ILIKE :s)', { s: `%${escapeLike(f.search)}%` });
    return qb;
  }

  list(f: DefinitionFiltersDto): Promise<Page<ResourceDefinition>> {
    const qb = this.filtered(f).select(Object.keys(this.defs.metadata.propertiesMap).filter((k) => k !== 'layout').map((k) => `d.${k}`));
    return paginate(qb, f, { sortable: ['createdAt', 'updatedAt', 'name', 'category', 'vendor', 'itemCount', 'wellVolumeUl', 'tipVolumeUl'], defaultSort: 'name' });
  }

  /** Value counts per facet under the other filters (one grouped query per facet). */
  async facets(f: DefinitionFiltersDto): Promise<DefinitionFacetsDto> {
    const out = {} as DefinitionFacetsDto;
    await Promise.all(
      FACETS.map(async (k) => {
        const rows = await this.filtered(f, k)
          .select(`d.${k}`, 'value')
          .addSelect('count(*)::int', 'count')
          .groupBy(`d.${k}`)
          .orderBy('count', 'DESC')
          .addOrderBy('value', 'ASC', 'NULLS LAST')
          .getRawMany<{ value: string | number | null; count: number }>();
        out[k] = rows;
      }),
    );
    return out;
  }

  async get(id: string): Promise<ResourceDefinition> {
    const d = await this.defs.findOneBy({ id });
    if (!d) throw AppException.notFound('Resource definition', id);
    return d;
  }

  findByName(name: string): Promise<ResourceDefinition | null> {
    return this.defs.findOneBy({ name });
  }

  /** Adds a custom definition; its layout must be something the hardware library can build. */
  async create(dto: CreateResourceDefinitionDto): Promise<ResourceDefinition> {
    let built;
    try {
      built = deserializeResource(dto.layout as unknown as SerializedResource);
    } catch (err) {
      throw AppException.validation([{ field: 'layout', message: `layout is not a resource the hardware library can build: ${(err as Error).message}` }]);
    }
    const d = this.defs.create({
      name: dto.name,
      category: dto.category,
      vendor: dto.vendor,
      model: built.model ?? dto.name,
      description: dto.description ?? '',
      itemCount: built instanceof ItemizedResource ? built.numItems : 1,
      plateType: dto.plateType ?? null,
      wellVolumeUl: dto.wellVolumeUl ?? null,
      tipVolumeUl: dto.tipVolumeUl ?? null,
      dimensions: { x: built.sizeX, y: built.sizeY, z: built.sizeZ },
      consumable: dto.consumable ?? true,
      layout: built.serialize() as unknown as Record<string, unknown>,
      source: 'custom',
      properties: dto.properties ?? {},
    });
    return this.defs.save(d).catch((err) => rethrowDbConflict(err, `A resource definition named ${dto.name}`));
  }
}
