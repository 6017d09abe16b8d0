import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, ErrorCode, type FieldError, type Page } from '@praxis/common';
import { escapeLike, paginate, rethrowDbConflict, uuidv7 } from '@praxis/database';
import { Repository, type QueryDeepPartialEntity } from 'typeorm';
import type { CreateRunDto, ListRunsQueryDto } from '../runs/run.dto.js';
import type { Run } from '../runs/run.entity.js';
import { type CheckedRun, RunsService } from '../runs/runs.service.js';
import { nextFireAt, scheduleTimingErrors } from './cron.js';
import type { CreateScheduleDto, ListScheduleRunsQueryDto, ListSchedulesQueryDto, UpdateScheduleDto } from './schedule.dto.js';
import { Schedule } from './schedule.entity.js';
import { ScheduleQueue } from './schedule-queue.js';

const RUN_FIELDS = ['protocolId', 'parameters', 'assets', 'workcellId', 'priority'] as const;

/**
 * Schedules for the API: stored in PostgreSQL, armed as BullMQ Job Schedulers (one per active
 * schedule) that the worker turns into runs. Every write goes to the database first, then to the
 * queue; the worker re-arms from the database (at start and every minute) and a fire of a schedule
 * that is gone or paused only disarms it, so the two cannot stay apart.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    @InjectRepository(Schedule) private readonly schedules: Repository<Schedule>,
    private readonly runs: RunsService,
    private readonly queue: ScheduleQueue,
  ) {}

  /** The next fire time from the expression in its time zone; null while paused. */
  nextRunAt(s: Schedule, after = new Date()): Date | null {
    if (s.paused) return null;
    try {
      return nextFireAt(s.cron, s.timezone, after);
    } catch {
      return null;
    }
  }

  list(q: ListSchedulesQueryDto): Promise<Page<Schedule>> {
    const qb = this.schedules.createQueryBuilder('s');
    if (q.paused !== undefined) qb.andWhere('s.paused = :paused', { paused: q.paused });
    if (q.protocolId) qb.andWhere('s.protocolId = :protocolId', { protocolId: q.protocolId });
    if (q.workcellId) qb.andWhere('s.workcellId = :workcellId', { workcellId: q.workcellId });
    if (q.search) qb.andWhere('s.name ILIKE :search', { search: `%${escapeLike(q.search)}%` });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name', 'priority', 'lastRunAt'], defaultSort: 'name' });
  }

  async get(id: string): Promise<Schedule> {
    const s = await this.schedules.findOneBy({ id });
    if (!s) throw AppException.notFound('Schedule', id);
    return s;
  }

  /** The runs the schedule created. */
  async listRuns(id: string, q: ListScheduleRunsQueryDto): Promise<Page<Run>> {
    await this.get(id);
    return this.runs.list({ ...q, scheduleId: id } as ListRunsQueryDto);
  }

  /**
   * Checks the expression and time zone, and the run it would create exactly as `POST /runs` would
   * (400 naming every bad field; 409 ASSET_UNAVAILABLE naming a requirement nothing satisfies),
   * then saves and arms it (unless created paused).
   */
  async create(dto: CreateScheduleDto, actor: string): Promise<Schedule> {
    const timezone = dto.timezone ?? 'UTC';
    const checked = await this.check({ cron: dto.cron, timezone }, {
      protocolId: dto.protocolId,
      parameters: dto.parameters,
      assets: dto.assets,
      workcellId: dto.workcellId,
      priority: dto.priority,
    });
    const s = this.schedules.create({
      id: uuidv7(),
      name: dto.name,
      cron: dto.cron,
      timezone,
      protocolId: dto.protocolId,
      parameters: checked!.parameters,
      assets: dto.assets ?? {},
      workcellId: checked!.workcellId,
      priority: dto.priority ?? 0,
      paused: dto.paused ?? false,
      lastRunAt: null,
      lastRunId: null,
      lastError: null,
      createdBy: actor,
      properties: dto.properties ?? {},
    });
    await this.schedules.insert(s as never).catch((err) => rethrowDbConflict(err, `A schedule named ${dto.name}`));
    if (!s.paused) {
      try {
        await this.queue.arm(s);
      } catch (err) {
        await this.schedules.delete({ id: s.id }).catch(() => undefined);
        this.logger.warn({ scheduleId: s.id, err: (err as Error).message }, 'could not arm a new schedule');
        throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'The schedule queue is unavailable; the schedule was not created');
      }
    }
    return this.get(s.id);
  }

  /**
   * Partial update. Changed timing is checked; changed run fields are checked together with the
   * ones kept (a new protocol revision against the current parameters and assets, unless given).
   * `paused` pauses (the Job Scheduler is removed: no more runs) or resumes (armed again).
   */
  async update(id: string, dto: UpdateScheduleDto): Promise<Schedule> {
    const s = await this.get(id);
    const timing = dto.cron !== undefined || dto.timezone !== undefined;
    const reruns = RUN_FIELDS.some((k) => dto[k] !== undefined);
    const cron = dto.cron ?? s.cron;
    const timezone = dto.timezone ?? s.timezone;
    const checked = await this.check(timing ? { cron, timezone } : null, reruns
      ? {
          protocolId: dto.protocolId ?? s.protocolId,
          parameters: dto.parameters ?? s.parameters,
          assets: dto.assets ?? s.assets,
          workcellId: dto.workcellId ?? s.workcellId ?? undefined,
          priority: dto.priority ?? s.priority,
        }
      : null);

    // jsonb values are written whole (TypeORM's deep-partial type does not model `unknown` leaves).
    const changes: QueryDeepPartialEntity<Schedule> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (timing) Object.assign(changes, { cron, timezone });
    if (checked) {
      changes.protocolId = dto.protocolId ?? s.protocolId;
      changes.parameters = checked.parameters as QueryDeepPartialEntity<Record<string, unknown>>;
      if (dto.assets !== undefined) changes.assets = dto.assets as QueryDeepPartialEntity<Record<string, string>>;
      changes.workcellId = checked.workcellId;
      if (dto.priority !== undefined) changes.priority = dto.priority;
    }
    if (dto.paused !== undefined) changes.paused = dto.paused;
    if (dto.properties !== undefined) changes.properties = dto.properties as QueryDeepPartialEntity<Record<string, unknown>>;
    if (!Object.keys(changes).length) return s;
    await this.schedules.update({ id }, changes).catch((err) => rethrowDbConflict(err, `A schedule named ${dto.name ?? s.name}`));

    const now = await this.get(id);
    if (now.paused && (dto.paused !== undefined || timing)) await this.disarm(id);
    else if (!now.paused && (dto.paused !== undefined || timing)) {
      try {
        await this.queue.arm(now);
      } catch (err) {
        this.logger.warn({ scheduleId: id, err: (err as Error).message }, 'could not arm a schedule');
        throw new AppException(
          ErrorCode.SERVICE_UNAVAILABLE,
          'The schedule queue is unavailable: the change is saved and takes effect once the queue is back (the worker re-arms schedules every minute)',
        );
      }
    }
    return now;
  }

  pause(id: string): Promise<Schedule> {
    return this.update(id, { paused: true });
  }

  resume(id: string): Promise<Schedule> {
    return this.update(id, { paused: false });
  }

  /** Deletes the schedule and its Job Scheduler; the runs it created stay (with their `scheduleId`). */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.schedules.delete({ id });
    await this.disarm(id);
  }

  /** Best effort: a fire of a schedule that is paused or gone disarms it anyway. */
  private async disarm(id: string): Promise<void> {
    await this.queue.disarm(id).catch((err: Error) => this.logger.warn({ scheduleId: id, err: err.message }, 'could not disarm a schedule; its next fire will'));
  }

  /** Timing errors and the run checks together: one 400 naming every bad field, before any 409. */
  private async check(timing: { cron: string; timezone: string } | null, run: CreateRunDto | null): Promise<CheckedRun | null> {
    const errors: FieldError[] = timing ? scheduleTimingErrors(timing.cron, timing.timezone) : [];
    let checked: CheckedRun | null = null;
    if (run) {
      try {
        checked = await this.runs.check(run);
      } catch (err) {
        if (err instanceof AppException && err.code === ErrorCode.VALIDATION_FAILED) {
          throw AppException.validation([...errors, ...((err.details as { errors?: FieldError[] } | undefined)?.errors ?? [])]);
        }
        if (errors.length) throw AppException.validation(errors);
        throw err;
      }
    }
    if (errors.length) throw AppException.validation(errors);
    return checked;
  }
}
