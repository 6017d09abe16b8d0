import { Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WorkcellsService } from '@praxis/assets';
import { AppException, type FieldError, type Page } from '@praxis/common';
import { paginate, rethrowDbConflict, escapeLike } from '@praxis/database';
import { LiveEventPublisher } from '@praxis/redis';
import { In, IsNull, Not, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { validateConnectionConfig } from '../config-schema.js';
import { MachineDefinition } from '../machine-definition.entity.js';
import { Machine, MachineStatus } from '../machine.entity.js';
import { assertOperatorTransition } from '../status-transitions.js';
import { CreateMachineDto, ListMachinesQueryDto, SetMachineStatusDto, UpdateMachineDto } from './machine.dto.js';


/** A run holds the machine: its backend, config and status are not for the API to change. */
const inUse = (m: Machine) => m.status === MachineStatus.InUse || m.currentRunId !== null;
/** Rows no run holds (the guard of every write that must not touch a machine in use). */
const FREE = { status: Not(MachineStatus.InUse), currentRunId: IsNull() };

@Injectable()
export class MachinesService {
  constructor(
    @InjectRepository(Machine) private readonly machines: Repository<Machine>,
    @InjectRepository(MachineDefinition) private readonly defs: Repository<MachineDefinition>,
    private readonly workcells: WorkcellsService,
    // Absent in contexts without Redis (the CLI's seeding), which change no machine's status.
    @Optional() private readonly live?: LiveEventPublisher,
  ) {}

  async list(q: ListMachinesQueryDto): Promise<Page<Machine>> {
    const qb = this.machines.createQueryBuilder('m');
    if (q.workcellId) qb.andWhere('m.workcellId = :workcellId', { workcellId: q.workcellId });
    if (q.category) qb.andWhere('m.category = :category', { category: q.category });
    if (q.status) qb.andWhere('m.status = :status', { status: q.status });
    if (q.backend) qb.andWhere('m.backend = :backend', { backend: q.backend });
    if (q.definitionId) qb.andWhere('m.definitionId = :definitionId', { definitionId: q.definitionId });
    if (q.search) qb.andWhere('m.name ILIKE :search', { search: `%${escapeLike(q.search)}%` });
    const page = await paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name', 'status', 'category'], defaultSort: 'name' });
    await this.attachDefinitions(page.items);
    return page;
  }

  /** One machine, with its definition attached. */
  async get(id: string): Promise<Machine> {
    const m = await this.machines.findOneBy({ id });
    if (!m) throw AppException.notFound('Machine', id);
    await this.attachDefinitions([m]);
    return m;
  }

  async create(dto: CreateMachineDto): Promise<Machine> {
    const [workcellExists, def] = await Promise.all([
      this.workcells.exists(dto.workcellId),
      this.defs.findOneBy({ id: dto.definitionId }),
    ]);
    const errors: FieldError[] = [];
    if (!workcellExists) errors.push({ field: 'workcellId', message: `workcellId: no workcell ${dto.workcellId}` });
    if (!def) errors.push({ field: 'definitionId', message: `definitionId: no machine definition ${dto.definitionId}` });
    const config = def ? this.checkConfig(def, dto.backend, dto.connectionConfig ?? {}) : undefined;
    if (config) errors.push(...config.errors);
    if (errors.length || !def || !config) throw AppException.validation(errors);
    const m = this.machines.create({
      name: dto.name,
      workcellId: dto.workcellId,
      definitionId: def.id,
      category: def.category,
      backend: dto.backend,
      connectionConfig: config.value,
      status: MachineStatus.Available,
      statusReason: null,
      currentRunId: null,
      properties: dto.properties ?? {},
    });
    const saved = await this.machines.save(m).catch((err) => rethrowDbConflict(err, `A machine named ${dto.name} in this workcell`));
    saved.definition = def;
    return saved;
  }

  /**
   * Renames, re-properties or reconfigures a machine. A new backend or config is validated
   * against the (new) backend's schema, and refused (409) while a run holds the machine.
   */
  async update(id: string, dto: UpdateMachineDto): Promise<Machine> {
    const m = await this.get(id);
    const reconfigures = dto.backend !== undefined || dto.connectionConfig !== undefined;
    // jsonb values are written whole (TypeORM's deep-partial type does not model `unknown` leaves).
    const changes: QueryDeepPartialEntity<Machine> = {};
    if (reconfigures) {
      if (inUse(m)) throw this.inUseConflict(m, 'its backend and connection config cannot change now');
      const backend = dto.backend ?? m.backend;
      const config = this.checkConfig(m.definition!, backend, dto.connectionConfig ?? m.connectionConfig);
      if (config.errors.length) {
        const hint = dto.connectionConfig === undefined ? ' (the current connectionConfig does not fit the new backend: send one with it)' : '';
        throw AppException.validation(config.errors, `Invalid input: ${config.errors.map((e) => e.message).join('; ')}${hint}`);
      }
      changes.backend = backend;
      changes.connectionConfig = config.value as QueryDeepPartialEntity<Record<string, unknown>>;
    }
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.properties !== undefined) changes.properties = dto.properties as QueryDeepPartialEntity<Record<string, unknown>>;
    if (!Object.keys(changes).length) return m;
    const res = await this.machines
      .update(reconfigures ? { id, ...FREE } : { id }, changes)
      .catch((err) => rethrowDbConflict(err, `A machine named ${dto.name ?? m.name} in this workcell`));
    if (!res.affected) {
      // Taken by a run (or deleted) since it was read.
      const now = await this.get(id);
      throw this.inUseConflict(now, 'its backend and connection config cannot change now');
    }
    return this.get(id);
  }

  /** Deletes a machine no run holds and no deck refers to. */
  async remove(id: string): Promise<void> {
    const m = await this.get(id);
    if (inUse(m)) throw this.inUseConflict(m, 'it cannot be deleted');
    const res = await this.machines.delete({ id, ...FREE }).catch((err) => rethrowDbConflict(err, `Machine ${m.name}`));
    if (!res.affected) {
      const now = await this.machines.findOneBy({ id });
      if (now) throw this.inUseConflict(now, 'it cannot be deleted');
    }
  }

  /**
   * Operator-driven status change (available, maintenance, offline) under the transition table
   * in status-transitions.ts. The update is guarded by the status it was checked against.
   */
  async setStatus(id: string, dto: SetMachineStatusDto): Promise<Machine> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const m = await this.get(id);
      assertOperatorTransition(m.status, dto.status);
      const res = await this.machines.update({ id, status: m.status }, { status: dto.status, statusReason: dto.reason ?? null });
      if (res.affected) {
        const now = await this.get(id);
        await this.live?.machineStatus([now]);
        return now;
      }
    }
    throw AppException.conflict('The machine status changed while it was being set; try again');
  }

  /**
   * For the execution engine: takes an available machine for a run. Atomic: of two runs asking
   * at once, exactly one gets it. Returns whether this run got it.
   */
  async markInUse(id: string, runId: string): Promise<boolean> {
    const res = await this.machines.update(
      { id, status: MachineStatus.Available, currentRunId: IsNull() },
      { status: MachineStatus.InUse, currentRunId: runId, statusReason: null },
    );
    return res.affected === 1;
  }

  /**
   * For the execution engine: gives back a machine the run holds. An `in_use` machine becomes
   * `available`; one that went to another status (error, offline...) meanwhile keeps it. Returns
   * whether the run held it.
   */
  async release(id: string, runId: string): Promise<boolean> {
    const res = await this.machines
      .createQueryBuilder()
      .update(Machine)
      .set({
        currentRunId: null,
        status: () => `CASE WHEN "status" = '${MachineStatus.InUse}' THEN '${MachineStatus.Available}'::machine_status ELSE "status" END`,
      })
      .where('id = :id AND "currentRunId" = :runId', { id, runId })
      .execute();
    return res.affected === 1;
  }

  /** The backend is one of the definition's and the config fits its schema (defaults applied). */
  private checkConfig(def: MachineDefinition, backendName: string, config: Record<string, unknown>): { value: Record<string, unknown>; errors: FieldError[] } {
    const backend = def.backends.find((b) => b.name === backendName);
    if (!backend) {
      const supported = def.backends.map((b) => b.name).join(', ');
      return { value: config, errors: [{ field: 'backend', message: `backend: ${def.name} supports ${supported}; not ${backendName}` }] };
    }
    return validateConnectionConfig(backend.configSchema, config);
  }

  private inUseConflict(m: Machine, what: string): AppException {
    return AppException.conflict(`${m.name} is in use by run ${m.currentRunId ?? '(unknown)'}; ${what}`, { status: m.status, currentRunId: m.currentRunId });
  }

  private async attachDefinitions(machines: Machine[]): Promise<void> {
    const ids = [...new Set(machines.map((m) => m.definitionId))];
    if (!ids.length) return;
    const defs = await this.defs.find({ where: { id: In(ids) } });
    const byId = new Map(defs.map((d) => [d.id, d]));
    for (const m of machines) m.definition = byId.get(m.definitionId);
  }
}
