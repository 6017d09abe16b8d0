import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import { CountCache, escapeLike, listRows, rethrowDbConflict } from '@praxis/database';
import { DataSource, Repository } from 'typeorm';
import { ResourceDefinition } from '../definitions/resource-definition.entity.js';
import { WorkcellsService } from '../workcells/workcells.service.js';
import { CreateResourceDto, ListResourcesQueryDto, UpdateResourceDto } from './resource.dto.js';
import { Resource, ResourceStatus } from './resource.entity.js';

const RESOURCE_COLUMNS = [
  'id',
  'name',
  'definitionId',
  'category',
  'workcellId',
  'parentId',
  'location',
  'status',
  'currentRunId',
  'state',
  'properties',
  'createdAt',
  'updatedAt',
] as const;

const inUse = (r: Resource) => r.status === ResourceStatus.InUse || r.currentRunId !== null;

@Injectable()
export class ResourcesService {
  /** List totals for a second; cleared by every write here. */
  private readonly counts = new CountCache(1000);

  constructor(
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectRepository(ResourceDefinition) private readonly defs: Repository<ResourceDefinition>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly workcells: WorkcellsService,
  ) {}

  list(q: ListResourcesQueryDto): Promise<Page<Resource>> {
    return listRows<Resource>(this.db, {
      table: 'resources',
      columns: RESOURCE_COLUMNS,
      filters: [
        ['"workcellId" = ?', q.workcellId],
        ['"category" = ?', q.category],
        ['"status" = ?', q.status],
        ['"definitionId" = ?', q.definitionId],
        ['"parentId" = ?', q.parentId],
        ['"name" ILIKE ?', q.search === undefined ? undefined : `%${escapeLike(q.search)}%`],
      ],
      query: q,
      sortable: ['createdAt', 'updatedAt', 'name', 'status', 'category'],
      defaultSort: '-createdAt',
      counts: this.counts,
    });
  }

  async get(id: string): Promise<Resource> {
    const r = await this.resources.findOneBy({ id });
    if (!r) throw AppException.notFound('Resource', id);
    return r;
  }

  async create(dto: CreateResourceDto): Promise<Resource> {
    if (dto.status === ResourceStatus.InUse) throw AppException.conflict('in_use is set by the execution engine when a run takes the resource');
    const def = await this.defs.findOneBy({ id: dto.definitionId });
    if (!def) throw AppException.validation([{ field: 'definitionId', message: `definitionId: no resource definition ${dto.definitionId}` }]);
    if (dto.workcellId) await this.workcells.assertExists(dto.workcellId);
    if (dto.parentId) await this.checkParent(null, dto.parentId, dto.workcellId ?? null);
    const r = this.resources.create({
      name: dto.name,
      definitionId: def.id,
      category: def.category,
      workcellId: dto.workcellId ?? null,
      parentId: dto.parentId ?? null,
      location: dto.location ?? null,
      status: dto.status ?? (dto.parentId ? ResourceStatus.AvailableOnDeck : ResourceStatus.AvailableInStorage),
      state: dto.state ?? null,
      properties: dto.properties ?? {},
      currentRunId: null,
    });
    const saved = await this.resources.save(r).catch((err) => rethrowDbConflict(err, `A resource named ${dto.name} in this workcell`));
    this.counts.invalidate();
    return saved;
  }

  async update(id: string, dto: UpdateResourceDto): Promise<Resource> {
    const r = await this.get(id);
    const moving = (dto.parentId !== undefined && dto.parentId !== r.parentId) || dto.location !== undefined;
    if (inUse(r) && (moving || dto.status !== undefined || dto.state !== undefined)) {
      throw AppException.conflict(`${r.name} is in use by run ${r.currentRunId ?? '(unknown)'}; it cannot be moved or changed now`, { currentRunId: r.currentRunId });
    }
    if (dto.status === ResourceStatus.InUse) throw AppException.conflict('in_use is set by the execution engine when a run takes the resource');
    if (dto.parentId !== undefined && dto.parentId !== null) await this.checkParent(r, dto.parentId, r.workcellId);
    if (dto.name !== undefined) r.name = dto.name;
    if (dto.parentId !== undefined) r.parentId = dto.parentId;
    if (dto.location !== undefined) r.location = dto.location;
    if (dto.status !== undefined) r.status = dto.status;
    if (dto.state !== undefined) r.state = dto.state;
    if (dto.properties !== undefined) r.properties = dto.properties;
    const saved = await this.resources.save(r).catch((err) => rethrowDbConflict(err, `A resource named ${dto.name} in this workcell`));
    this.counts.invalidate();
    return saved;
  }

  async remove(id: string): Promise<void> {
    const r = await this.get(id);
    if (inUse(r)) throw AppException.conflict(`${r.name} is in use by run ${r.currentRunId ?? '(unknown)'}`, { currentRunId: r.currentRunId });
    await this.resources.delete({ id }).catch((err) => rethrowDbConflict(err, `Resource ${r.name}`));
    this.counts.invalidate();
  }

  /** The parent exists, is in the same workcell, and is not the resource itself or one of its descendants. */
  private async checkParent(self: Resource | null, parentId: string, workcellId: string | null): Promise<void> {
    const parent = await this.resources.findOneBy({ id: parentId });
    if (!parent) throw AppException.validation([{ field: 'parentId', message: `parentId: no resource ${parentId}` }]);
    if (parent.workcellId !== workcellId) {
      throw AppException.validation([{ field: 'parentId', message: `parentId: ${parent.name} is in another workcell` }]);
    }
    if (!self) return;
    if (inUse(parent)) throw AppException.conflict(`${parent.name} is in use by run ${parent.currentRunId ?? '(unknown)'}`);
    // Walk up from the new parent: reaching `self` would make a cycle.
    const chain: Array<{ id: string }> = await this.db.query(
      `WITH RECURSIVE up AS (SELECT id, "parentId" FROM resources WHERE id = $1
         UNION ALL SELECT r.id, r."parentId" FROM resources r JOIN up ON r.id = up."parentId")
       SELECT id FROM up`,
      [parentId],
    );
    if (chain.some((c) => c.id === self.id)) {
      throw AppException.validation([{ field: 'parentId', message: `parentId: ${parent.name} is ${self.name} itself or stands on it` }]);
    }
  }
}
