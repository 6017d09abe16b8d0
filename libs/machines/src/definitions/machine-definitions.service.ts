import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, type FieldError, type Page } from '@praxis/common';
import { paginate, rethrowDbConflict, escapeLike } from '@praxis/database';
import type { BackendDefinition } from '@praxis/hardware';
import { Repository } from 'typeorm';
import { configSchemaProblem } from '../config-schema.js';
import { MachineDefinition } from '../machine-definition.entity.js';
import { CreateMachineDefinitionDto, ListMachineDefinitionsQueryDto } from './machine-definition.dto.js';


/** Machine kinds: the synced catalog and custom definitions added by admins. */
@Injectable()
export class MachineDefinitionsService {
  constructor(@InjectRepository(MachineDefinition) private readonly defs: Repository<MachineDefinition>) {}

  list(q: ListMachineDefinitionsQueryDto): Promise<Page<MachineDefinition>> {
    const qb = this.defs.createQueryBuilder('d');
    if (q.category) qb.andWhere('d.category = :category', { category: q.category });
    if (q.manufacturer) qb.andWhere('lower(d.manufacturer) = lower(:manufacturer)', { manufacturer: q.manufacturer });
    if (q.source) qb.andWhere('d.source = :source', { source: q.source });
    if (q.search) qb.andWhere('(d.name ILIKE :s OR d.model ILIKE :s)', { s: `%${escapeLike(q.search)}%` });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name', 'category', 'manufacturer'], defaultSort: 'name' });
  }

  async get(id: string): Promise<MachineDefinition> {
    const d = await this.defs.findOneBy({ id });
    if (!d) throw AppException.notFound('Machine definition', id);
    return d;
  }

  findById(id: string): Promise<MachineDefinition | null> {
    return this.defs.findOneBy({ id });
  }

  /** Adds a custom definition; each backend's config schema must compile. */
  async create(dto: CreateMachineDefinitionDto): Promise<MachineDefinition> {
    const errors: FieldError[] = [];
    const names = new Set<string>();
    dto.backends.forEach((b, i) => {
      if (names.has(b.name)) errors.push({ field: `backends.${i}.name`, message: `backends.${i}.name: ${b.name} is listed twice` });
      names.add(b.name);
      const problem = configSchemaProblem(b.configSchema);
      if (problem) errors.push({ field: `backends.${i}.configSchema`, message: `backends.${i}.configSchema ${problem}` });
    });
    if (dto.deckType !== undefined) {
      const [known] = (await this.defs.manager.query('SELECT 1 FROM deck_types WHERE name = $1', [dto.deckType])) as unknown[];
      if (!known) errors.push({ field: 'deckType', message: `deckType: no deck type ${dto.deckType}` });
    }
    if (errors.length) throw AppException.validation(errors);
    const def = this.defs.create({
      name: dto.name,
      category: dto.category,
      manufacturer: dto.manufacturer,
      model: dto.model,
      description: dto.description ?? '',
      deckType: dto.deckType ?? null,
      backends: dto.backends.map((b): BackendDefinition => ({ name: b.name, description: b.description, transport: b.transport, configSchema: b.configSchema })),
      source: 'custom',
      properties: dto.properties ?? {},
    });
    return this.defs.save(def).catch((err) => rethrowDbConflict(err, `A machine definition named ${dto.name}`));
  }
}
