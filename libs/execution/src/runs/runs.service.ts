import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Resource, ResourceStatus, WorkcellsService } from '@praxis/assets';
import { AppException, ErrorCode, type FieldError, type Page } from '@praxis/common';
import { paginate, uuidv7 } from '@praxis/database';
import { Machine, MachineStatus, validateConnectionConfig } from '@praxis/machines';
import { type ProtocolDefinitionEntity, ProtocolDefinitionsService } from '@praxis/protocols';
import { RedisService } from '@praxis/redis';
import { DataSource, Repository } from 'typeorm';
import { RUN_CONTROL_CHANNEL, type RunControlMessage, runStateKey } from '../control.js';
import { RunQueues } from '../run-queues.js';
import type { CreateRunDto, ListRunsQueryDto, RunActionDto } from './run.dto.js';
import { Run, type RunAsset, RunTransition } from './run.entity.js';
import { RunTransitionsService, type TransitionFields, type TransitionTarget } from './run-transitions.service.js';
import { actionTarget, RunStatus } from './run-status.js';

/** What `RunsService.check` found: everything a run of the request would be recorded with. */
export interface CheckedRun {
  definition: ProtocolDefinitionEntity;
  workcellId: string;
  /** Checked against the definition's schema, defaults filled. */
  parameters: Record<string, unknown>;
  assets: Record<string, RunAsset>;
  deckLayoutId: string | null;
}

/**
 * Candidates named like the requirement first (`source` → `source_plate` before `destination_plate`),
 * otherwise in the order given (free first, then by name). Stable.
 */
export function byNameAffinity<T extends { name: string }>(rows: T[], key: string): T[] {
  const k = key.toLowerCase();
  const score = (n: string) => (n.toLowerCase() === k ? 0 : n.toLowerCase().startsWith(k) ? 1 : n.toLowerCase().includes(k) ? 2 : 3);
  return rows.map((r, i) => ({ r, i, s: score(r.name) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.r);
}

@Injectable()
export class RunsService {
  constructor(
    @InjectRepository(Run) private readonly runs: Repository<Run>,
    @InjectRepository(Machine) private readonly machines: Repository<Machine>,
    @InjectRepository(Resource) private readonly resources: Repository<Resource>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly definitions: ProtocolDefinitionsService,
    private readonly workcells: WorkcellsService,
    private readonly queues: RunQueues,
    private readonly redis: RedisService,
    private readonly transitions_: RunTransitionsService,
  ) {}

  list(q: ListRunsQueryDto): Promise<Page<Run>> {
    const qb = this.runs.createQueryBuilder('r');
    if (q.status) qb.andWhere('r.status = :status', { status: q.status });
    if (q.protocolId) qb.andWhere('r.protocolId = :protocolId', { protocolId: q.protocolId });
    if (q.protocolName) qb.andWhere('r.protocolName = :protocolName', { protocolName: q.protocolName });
    if (q.workcellId) qb.andWhere('r.workcellId = :workcellId', { workcellId: q.workcellId });
    if (q.scheduleId) qb.andWhere('r.scheduleId = :scheduleId', { scheduleId: q.scheduleId });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'status', 'priority', 'startedAt', 'endedAt', 'protocolName'], defaultSort: '-createdAt' });
  }

  async get(id: string): Promise<Run> {
    const r = await this.runs.findOneBy({ id });
    if (!r) throw AppException.notFound('Run', id);
    return r;
  }

  async outputsSummary(runId: string): Promise<{ count: number; names: Record<string, number> }> {
    const rows = (await this.db.query('SELECT name, count(*)::int AS n FROM run_outputs WHERE "runId" = $1 GROUP BY name ORDER BY name', [runId])) as Array<{ name: string; n: number }>;
    return { count: rows.reduce((a, r) => a + r.n, 0), names: Object.fromEntries(rows.map((r) => [r.name, r.n])) };
  }

  transitions(runId: string): Promise<RunTransition[]> {
    return this.db.getRepository(RunTransition).find({ where: { runId }, order: { at: 'ASC' } });
  }

  /**
   * What creating a run from `dto` would record, without recording anything: the definition,
   * parameters checked against its schema (defaults filled), the workcell, every requirement's
   * asset (the one given, or matched by category and model in the workcell) and the deck layout.
   * Throws 400 naming each bad field, 409 ASSET_UNAVAILABLE naming a requirement nothing satisfies.
   */
  async check(dto: CreateRunDto): Promise<CheckedRun> {
    const errors: FieldError[] = [];
    const def = await this.definitions.get(dto.protocolId).catch((err: unknown) => {
      if (err instanceof AppException && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    });
    if (!def) throw AppException.validation([{ field: 'protocolId', message: `protocolId: no protocol definition ${dto.protocolId}` }]);
    const checked = validateConnectionConfig(def.parametersSchema, dto.parameters ?? {}, 'parameters');
    errors.push(...checked.errors);

    const picked = await this.definitions.pickAssets(def, dto.assets ?? {}, errors);

    let workcellId = dto.workcellId;
    if (workcellId) {
      if (!(await this.workcells.exists(workcellId))) errors.push({ field: 'workcellId', message: `workcellId: no workcell ${workcellId}` });
    } else {
      const fromAssets = [...picked.values()].map((a) => a.workcellId).find((w): w is string => !!w);
      if (fromAssets) workcellId = fromAssets;
      else {
        const all = (await this.db.query('SELECT id FROM workcells ORDER BY "createdAt" LIMIT 2')) as Array<{ id: string }>;
        if (all.length === 1) workcellId = all[0]!.id;
        else errors.push({ field: 'workcellId', message: all.length ? 'workcellId is required: there is more than one workcell' : 'workcellId: there is no workcell' });
      }
    }
    for (const [key, a] of picked) {
      if (workcellId && a.workcellId !== workcellId) errors.push({ field: `assets.${key}`, message: `assets.${key}: ${a.name} is not in workcell ${workcellId}` });
    }
    if (dto.scheduledAt && Number.isNaN(dto.scheduledAt.getTime())) errors.push({ field: 'scheduledAt', message: 'scheduledAt must be a date' });
    if (errors.length) throw AppException.validation(errors);

    // Requirements not given: matched among the workcell's assets, free ones first.
    const assets: Record<string, RunAsset> = {};
    const taken = new Set([...picked.values()].map((a) => a.id));
    for (const [key, req] of Object.entries(def.assets)) {
      let asset = picked.get(key);
      if (!asset) {
        asset = (await this.match(workcellId!, key, req.kind, req.category, req.model, taken)) ?? undefined;
        if (!asset) {
          if (req.optional) continue;
          throw new AppException(
            ErrorCode.ASSET_UNAVAILABLE,
            `Nothing in the workcell satisfies requirement "${key}" (${req.kind} ${req.category}${req.model ? `, model ${req.model}` : ''})`,
            { requirement: key, kind: req.kind, category: req.category, model: req.model ?? null },
          );
        }
        taken.add(asset.id);
      }
      assets[key] = { kind: req.kind, id: asset.id, name: asset.name, category: asset.category };
    }
    const deckLayoutId = await this.layoutFor(workcellId!, def.deckLayout, assets);
    return { definition: def, workcellId: workcellId!, parameters: checked.value, assets, deckLayoutId };
  }

  /**
   * Records a run and enqueues it on its workcell's queue: parameters checked against the
   * definition's schema, assets the ones given or matched by category and model in the workcell
   * (see `check`). `origin` marks a run a schedule created (its id, and properties such as the fire).
   */
  async create(dto: CreateRunDto, actor: string, origin: { scheduleId?: string; properties?: Record<string, unknown>; traceId?: string } = {}): Promise<Run> {
    const { definition: def, workcellId, parameters, assets, deckLayoutId } = await this.check(dto);

    const now = new Date();
    const scheduled = dto.scheduledAt && dto.scheduledAt.getTime() > now.getTime() + 50;
    const run = this.runs.create({
      id: uuidv7(),
      protocolId: def.id,
      protocolName: def.name,
      protocolVersion: def.version,
      workcellId,
      status: scheduled ? RunStatus.Scheduled : RunStatus.Queued,
      priority: dto.priority ?? 0,
      parameters,
      assets,
      deckLayoutId,
      scheduledAt: dto.scheduledAt ?? null,
      startedAt: null,
      endedAt: null,
      error: null,
      pendingInput: null,
      result: null,
      createdBy: actor,
      workerId: null,
      scheduleId: origin.scheduleId ?? null,
      traceId: origin.traceId ?? null,
      properties: origin.properties ?? {},
    });
    const created = await this.db.transaction(async (em) => {
      await em.getRepository(Run).insert(run as never);
      return this.transitions_.record(em, run.id, null, run.status, actor, scheduled ? `scheduled for ${dto.scheduledAt!.toISOString()}` : null);
    });
    await this.transitions_.publish(run.id, run.workcellId, created);
    try {
      await this.queues.enqueue(run.workcellId, run.id, { delayMs: scheduled ? dto.scheduledAt!.getTime() - now.getTime() : 0, priority: run.priority });
    } catch (err) {
      await this.transition(run.id, RunStatus.Failed, 'system', `could not be enqueued: ${(err as Error).message}`, { error: { name: 'QueueError', message: (err as Error).message } });
      throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'The run queue is unavailable; the run was not started');
    }
    return this.get(run.id);
  }

  /**
   * pause / resume / cancel. Runs not yet started are cancelled here; live ones move to pausing /
   * canceling and the worker executing them applies the action (pause before the next hardware
   * command, cancel within one).
   */
  async act(id: string, dto: RunActionDto, actor: string, traceId?: string): Promise<Run> {
    const run = await this.get(id);
    if (dto.action === 'restart') return this.restart(run, dto.fromStep, actor, traceId);
    if (dto.fromStep !== undefined) throw AppException.validation([{ field: 'fromStep', message: 'fromStep: only for action restart' }]);
    const action = dto.action;
    // The target is decided from the status under the row lock, not the one read above: a run that
    // moved in between (running → awaiting_input as Cancel is pressed) is still cancelled.
    const from = await this.transition(id, (status) => actionTarget(id, action, status), actor, dto.reason ?? null, (to) => (to === RunStatus.Cancelled ? { endedAt: new Date() } : {}));
    const to = actionTarget(id, action, from);
    if (to === RunStatus.Cancelled) await this.queues.remove(run.workcellId, id);
    else {
      const msg: RunControlMessage = { runId: id, action: dto.action, ...(dto.reason ? { reason: dto.reason } : {}) };
      await this.redis.client.publish(RUN_CONTROL_CHANNEL, JSON.stringify(msg));
    }
    return this.get(id);
  }

  /**
   * Restart of an interrupted, failed or cancelled run: a new run of the same protocol revision,
   * parameters and assets, starting from the old run's state (protocols checkpoint their progress
   * there, e.g. `wellsDone`), on the deck as the worker last saved it. Nothing is re-run silently:
   * an operator asks for it. `fromStep` (default: the last completed top-level step) is recorded.
   */
  private async restart(run: Run, fromStep: number | undefined, actor: string, traceId?: string): Promise<Run> {
    if (![RunStatus.Interrupted, RunStatus.Failed, RunStatus.Cancelled].includes(run.status)) {
      throw new AppException(ErrorCode.CONFLICT, `Run ${run.id} is ${run.status}: only an interrupted, failed or cancelled run can be restarted`, { status: run.status, action: 'restart' });
    }
    const steps = (await this.db.query(
      `SELECT seq, name FROM run_calls WHERE "runId" = $1 AND "parentSeq" = 1 AND status = 'completed' ORDER BY seq`,
      [run.id],
    )) as Array<{ seq: number; name: string }>;
    if (fromStep !== undefined && !steps.some((s) => s.seq === fromStep)) {
      throw AppException.validation([{ field: 'fromStep', message: `fromStep: ${fromStep} is not a completed top-level step of run ${run.id}` }]);
    }
    const from = fromStep ?? steps[steps.length - 1]?.seq ?? null;
    const raw = await this.redis.client.hgetall(runStateKey(run.id));
    const state = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]));
    const next = this.runs.create({
      ...run,
      id: uuidv7(),
      status: RunStatus.Queued,
      scheduledAt: null,
      startedAt: null,
      endedAt: null,
      error: null,
      pendingInput: null,
      result: null,
      workerId: null,
      lastEventSeq: 0,
      traceId: traceId ?? null,
      createdBy: actor,
      createdAt: undefined,
      updatedAt: undefined,
      properties: { ...run.properties, restartOf: run.id, fromStep: from, initialState: state },
    });
    const created = await this.db.transaction(async (em) => {
      await em.getRepository(Run).insert(next as never);
      return this.transitions_.record(em, next.id, null, RunStatus.Queued, actor, `restart of ${run.id}${from !== null ? ` after step ${from}` : ''}`);
    });
    await this.transitions_.publish(next.id, next.workcellId, created);
    if (Object.keys(raw).length) await this.redis.client.hset(runStateKey(next.id), raw);
    await this.queues.enqueue(next.workcellId, next.id, { priority: next.priority });
    return this.get(next.id);
  }

  transition(id: string, to: TransitionTarget, actor: string, reason: string | null, extra: TransitionFields = {}, expected?: RunStatus): Promise<RunStatus> {
    return this.transitions_.transition(id, to, actor, reason, extra, expected);
  }

  private async match(workcellId: string, key: string, kind: 'machine' | 'resource', category: string, model: string | undefined, taken: Set<string>): Promise<Machine | Resource | null> {
    if (kind === 'machine') {
      const qb = this.machines.createQueryBuilder('m').leftJoin('m.definition', 'd').where('m.workcellId = :w AND m.category = :c', { w: workcellId, c: category });
      if (model) qb.andWhere('(d.name = :model OR d.model = :model)', { model });
      qb.andWhere('m.status NOT IN (:...down)', { down: [MachineStatus.Offline, MachineStatus.Maintenance, MachineStatus.Error] });
      const rows = await qb.orderBy(`CASE WHEN m.status = 'available' THEN 0 ELSE 1 END`).addOrderBy('m.name').getMany();
      return byNameAffinity(rows, key).find((r) => !taken.has(r.id)) ?? null;
    }
    const qb = this.resources.createQueryBuilder('r').leftJoin('r.definition', 'd').where('r.workcellId = :w AND r.category = :c', { w: workcellId, c: category });
    if (model) qb.andWhere('d.name = :model', { model });
    const rows = await qb.orderBy(`CASE WHEN r.status = '${ResourceStatus.AvailableOnDeck}' THEN 0 ELSE 1 END`).addOrderBy('r.name').getMany();
    return byNameAffinity(rows, key).find((r) => !taken.has(r.id)) ?? null;
  }

  /** The deck layout: the protocol's named one, else the layout of the deck of the run's liquid handler. */
  private async layoutFor(workcellId: string, wanted: { kind: string; name?: string } | null, assets: Record<string, RunAsset>): Promise<string | null> {
    if (wanted?.kind === 'name') {
      const rows = (await this.db.query('SELECT id FROM deck_layouts WHERE name = $1 AND ("workcellId" = $2 OR "workcellId" IS NULL) ORDER BY "workcellId" NULLS LAST LIMIT 1', [wanted.name, workcellId])) as Array<{ id: string }>;
      if (!rows.length) throw new AppException(ErrorCode.ASSET_UNAVAILABLE, `The protocol uses deck layout "${wanted.name}", which this workcell does not have`, { deckLayout: wanted.name });
      return rows[0]!.id;
    }
    const machineIds = Object.values(assets).filter((a) => a.kind === 'machine').map((a) => a.id);
    if (!machineIds.length) return null;
    const rows = (await this.db.query('SELECT "layoutId" FROM decks WHERE "machineId" = ANY($1::uuid[]) AND "layoutId" IS NOT NULL LIMIT 1', [machineIds])) as Array<{ layoutId: string }>;
    return rows[0]?.layoutId ?? null;
  }
}
