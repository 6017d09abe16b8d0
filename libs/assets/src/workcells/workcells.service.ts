import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import { escapeLike, paginate, rethrowDbConflict } from '@praxis/database';
import { Repository } from 'typeorm';
import { CreateWorkcellDto, ListWorkcellsQueryDto, UpdateWorkcellDto } from './workcell.dto.js';
import { Workcell } from './workcell.entity.js';

@Injectable()
export class WorkcellsService {
  constructor(@InjectRepository(Workcell) private readonly workcells: Repository<Workcell>) {}

  list(query: ListWorkcellsQueryDto): Promise<Page<Workcell>> {
    const qb = this.workcells.createQueryBuilder('w');
    if (query.search) qb.andWhere('w.name ILIKE :s', { s: `%${escapeLike(query.search)}%` });
    return paginate(qb, query, { sortable: ['createdAt', 'updatedAt', 'name'], defaultSort: 'name' });
  }

  async get(id: string): Promise<Workcell> {
    const w = await this.workcells.findOneBy({ id });
    if (!w) throw AppException.notFound('Workcell', id);
    return w;
  }

  exists(id: string): Promise<boolean> {
    return this.workcells.existsBy({ id });
  }

  /** Throws a 400 naming `field` when the workcell does not exist (for references in other bodies). */
  async assertExists(id: string, field = 'workcellId'): Promise<void> {
    if (!(await this.exists(id))) throw AppException.validation([{ field, message: `${field}: no workcell ${id}` }]);
  }

  async create(dto: CreateWorkcellDto): Promise<Workcell> {
    const w = this.workcells.create({ name: dto.name, description: dto.description ?? null, location: dto.location ?? null, properties: dto.properties ?? {} });
    return this.workcells.save(w).catch((err) => rethrowDbConflict(err, `A workcell named ${dto.name}`));
  }

  async update(id: string, dto: UpdateWorkcellDto): Promise<Workcell> {
    const w = await this.get(id);
    if (dto.name !== undefined) w.name = dto.name;
    if (dto.description !== undefined) w.description = dto.description;
    if (dto.location !== undefined) w.location = dto.location;
    if (dto.properties !== undefined) w.properties = dto.properties;
    return this.workcells.save(w).catch((err) => rethrowDbConflict(err, `A workcell named ${dto.name}`));
  }

  async remove(id: string): Promise<void> {
    const w = await this.get(id);
    await this.workcells.delete({ id: w.id }).catch((err) => rethrowDbConflict(err, `Workcell ${w.name}`));
  }
}
