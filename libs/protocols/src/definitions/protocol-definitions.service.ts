import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Resource } from '@praxis/assets';
import { AppException, ErrorCode, type FieldError, type Page } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { escapeLike, paginate } from '@praxis/database';
import { DeckLayoutsService } from '@praxis/decks';
import { Machine, validateConnectionConfig } from '@praxis/machines';
import { DataSource, Repository } from 'typeorm';
import { isUUID } from 'class-validator';
import { ProtocolDefinitionEntity } from '../protocol-definition.entity.js';
import { ProtocolSandbox } from '../sandbox/host.js';
import type { SimulateJob, SimulationMachine, SimulationReport } from '../sandbox/messages.js';
import type { ListProtocolDefinitionsQueryDto, SimulateProtocolDto } from './protocol-definition.dto.js';

/** Orders versions numerically (1.10.0 after 1.9.0), a release after its pre-releases. */
const VERSION_KEY = `string_to_array(regexp_replace(d2.version, '[-+].*$', ''), '.')::int[] DESC, (position('-' in d2.version) = 0) DESC`;

@Injectable()
export class ProtocolDefinitionsService {
  constructor(
    @InjectRepository(ProtocolDefinitionEntity) private readonly defs: Repository<ProtocolDefinitionEntity>,
    @InjectRepository(Machine) private readonly machines: Repository<Machine>,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly layouts: DeckLayoutsService,
    private readonly sandbox: ProtocolSandbox,
    private readonly config: AppConfig,
  ) {}

  list(q: ListProtocolDefinitionsQueryDto): Promise<Page<ProtocolDefinitionEntity>> {
    const qb = this.defs.createQueryBuilder('d').leftJoinAndSelect('d.source', 'source');
    if (q.name) qb.andWhere('d.name = :name', { name: q.name });
    if (q.version) qb.andWhere('d.version = :version', { version: q.version });
    if (q.category) qb.andWhere('d.category = :category', { category: q.category });
    if (q.tag) qb.andWhere(':tag = ANY(d.tags)', { tag: q.tag });
    if (q.sourceId) qb.andWhere('d.sourceId = :sourceId', { sourceId: q.sourceId });
    if (q.current !== undefined) qb.andWhere('d.current = :current', { current: q.current });
    if (q.search) qb.andWhere('(d.name ILIKE :search OR d.description ILIKE :search)', { search: `%${escapeLike(q.search)}%` });
    if (q.latest) {
      qb.andWhere(
        `d.id IN (SELECT DISTINCT ON (d2."sourceId", d2.name) d2.id FROM protocol_definitions d2 WHERE d2.current ORDER BY d2."sourceId", d2.name, ${VERSION_KEY}, d2."createdAt" DESC)`,
      );
    }
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name', 'version', 'category'], defaultSort: 'name' });
  }

  async get(id: string): Promise<ProtocolDefinitionEntity> {
    const d = await this.defs.findOne({ where: { id }, relations: { source: true } });
    if (!d) throw AppException.notFound('Protocol definition', id);
    return d;
  }

  /** The definition with its compiled code (what a run or a simulation executes). */
  async getWithCode(id: string): Promise<ProtocolDefinitionEntity> {
    const d = await this.defs.createQueryBuilder('d').addSelect('d.code').leftJoinAndSelect('d.source', 'source').where('d.id = :id', { id }).getOne();
    if (!d) throw AppException.notFound('Protocol definition', id);
    return d;
  }

  /**
   * A dry run in the sandbox on simulators, against a copy of the chosen deck layout (or the one
   * the protocol names or builds). Nothing is reserved and no machine is touched.
   */
  async simulate(id: string, dto: SimulateProtocolDto): Promise<SimulationReport> {
    const def = await this.getWithCode(id);
    const errors: FieldError[] = [];
    const parameters = dto.parameters ?? {};
    errors.push(...validateConnectionConfig(def.parametersSchema, parameters, 'parameters').errors);
    const machines: Record<string, SimulationMachine> = {};
    const resources: Record<string, string> = {};
    for (const [key, asset] of await this.pickAssets(def, dto.assets ?? {}, errors)) {
      if (asset instanceof Machine) machines[key] = { name: asset.name, category: asset.category, config: asset.connectionConfig };
      else resources[key] = asset.name;
    }
    for (const [name, v] of Object.entries(dto.liquids ?? {})) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors.push({ field: `liquids.${name}`, message: `liquids.${name} must be a volume in µL (a number ≥ 0)` });
    }
    const deck = await this.deckFor(def, dto.deckLayoutId, errors);
    if (errors.length) throw AppException.validation(errors);

    const job: SimulateJob = {
      type: 'simulate',
      root: def.source?.path ?? '',
      file: def.file,
      exportName: def.exportName,
      code: def.code,
      codeHash: def.codeHash,
      parameters,
      deck,
      machines,
      resources,
      ...(dto.liquids ? { liquids: dto.liquids } : {}),
    };
    const limit = this.config.protocols.simulationTimeoutMs;
    const outcome = await this.sandbox.simulate(job, Math.min(dto.timeoutMs ?? limit, limit));
    if (outcome.ok) return outcome.report;
    if (outcome.kind === 'parameters') {
      throw AppException.validation((outcome.issues ?? []).map((i) => ({ field: `parameters.${i.field}`, message: `parameters.${i.field}: ${i.message}` })));
    }
    if (outcome.kind === 'setup') {
      const issues = outcome.issues ?? [{ field: 'protocol', message: outcome.error.message }];
      throw AppException.validation(issues.map((i) => ({ field: i.field, message: i.message })));
    }
    throw new AppException(ErrorCode.CONFLICT, `The code of ${def.name} ${def.version} cannot be loaded: ${outcome.error.message}`, { file: outcome.error.file, line: outcome.error.line });
  }

  /**
   * The machines and resources given for a definition's requirements (requirement → asset id),
   * each checked: a requirement of the protocol, a UUID, an existing asset of the right category.
   * Problems are added to `errors` as `assets.<requirement>`. Runs and simulations both use it.
   */
  async pickAssets(def: Pick<ProtocolDefinitionEntity, 'name' | 'assets'>, given: Record<string, string>, errors: FieldError[]): Promise<Map<string, Machine | Resource>> {
    const picked = new Map<string, Machine | Resource>();
    for (const [key, assetId] of Object.entries(given)) {
      const field = `assets.${key}`;
      const req = def.assets[key];
      if (!req) {
        errors.push({ field, message: `${field}: ${def.name} has no asset requirement "${key}" (it has: ${Object.keys(def.assets).join(', ') || 'none'})` });
        continue;
      }
      if (typeof assetId !== 'string' || !isUUID(assetId)) {
        errors.push({ field, message: `${field} must be the id (UUID) of a ${req.kind}` });
        continue;
      }
      const asset = req.kind === 'machine' ? await this.machines.findOneBy({ id: assetId }) : await this.resources.findOneBy({ id: assetId });
      if (!asset) errors.push({ field, message: `${field}: no ${req.kind} ${assetId}` });
      else if (asset.category !== req.category) errors.push({ field, message: `${field}: ${asset.name} is a ${asset.category}; ${key} needs a ${req.category}` });
      else picked.set(key, asset);
    }
    return picked;
  }

  private async deckFor(def: ProtocolDefinitionEntity, layoutId: string | undefined, errors: FieldError[]): Promise<SimulateJob['deck']> {
    let id = layoutId;
    if (!id && def.deckLayout?.kind === 'name') {
      const name = def.deckLayout.name;
      const rows = (await this.db.query('SELECT id FROM deck_layouts WHERE name = $1 ORDER BY "workcellId" NULLS FIRST, "createdAt" LIMIT 1', [name])) as Array<{ id: string }>;
      if (!rows.length) {
        errors.push({ field: 'deckLayoutId', message: `deckLayoutId: ${def.name} uses the deck layout "${name}", which does not exist; pass deckLayoutId` });
        return null;
      }
      id = rows[0]!.id;
    }
    if (!id) return null;
    try {
      const deck = await this.layouts.build(id);
      // A workcell deck carrying this layout has a last known state (tips used, liquid loaded): start from it.
      const saved = (await this.db.query('SELECT state FROM decks WHERE "layoutId" = $1 AND state IS NOT NULL ORDER BY "updatedAt" DESC LIMIT 1', [id])) as Array<{ state: Record<string, unknown> }>;
      if (saved[0]) {
        try {
          deck.loadAllState(saved[0].state as never);
        } catch {
          // A state that no longer fits the layout: the layout as it is.
        }
      }
      return { layout: deck.serialize(), state: deck.serializeAllState() };
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.NOT_FOUND) {
        errors.push({ field: 'deckLayoutId', message: `deckLayoutId: no deck layout ${id}` });
        return null;
      }
      throw err;
    }
  }
}
