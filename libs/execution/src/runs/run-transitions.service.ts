import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException, ErrorCode, observeRunTransition, retryWhileUnreachable } from '@praxis/common';
import { uuidv7 } from '@praxis/database';
import { LiveEventPublisher, type LiveEvent } from '@praxis/redis';
import { DataSource, type EntityManager } from 'typeorm';
import { appendRunEvents } from '../events/run-event-log.js';
import { Run, RunTransition } from './run.entity.js';
import { assertTransition, type RunStatus } from './run-status.js';

/**
 * How long a status change waits for an unreachable database before it fails (0: not at all).
 * The worker waits: a run whose robot finished must not lose its ending to a database restart.
 * The API does not: its client gets a 503 and may try again.
 */
export const TRANSITION_RETRY_MS = Symbol('TRANSITION_RETRY_MS');

/**
 * The status to move to, or how to decide it from the status found under the row lock (an
 * operator's action: the run may have moved since it was read, e.g. running → awaiting_input
 * just as Cancel was pressed, and cancel still applies).
 */
export type TransitionTarget = RunStatus | ((from: RunStatus) => RunStatus);
/** Fields stored with the change, or how to decide them from the status moved to. */
export type TransitionFields = Partial<Run> | ((to: RunStatus) => Partial<Run>);
/** More work done in the same transaction, after the change is checked and before it commits. */
export type TransitionWork = (em: EntityManager, from: RunStatus, to: RunStatus) => Promise<void>;

type RunRow = { status: RunStatus; workcellId: string; protocolName: string; createdAt: Date; scheduledAt: Date | null; startedAt: Date | null; endedAt: Date | null };

/**
 * The only way a run's status changes, for the API and the worker alike: checked against the
 * transition table under a row lock, optionally conditional on the status expected, recorded with
 * time, actor and reason, and stored as the run's `run.status` event (published once committed).
 */
@Injectable()
export class RunTransitionsService {
  private readonly logger = new Logger(RunTransitionsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly live: LiveEventPublisher,
    @Optional() @Inject(TRANSITION_RETRY_MS) private readonly retryMs: number = 0,
  ) {}

  async transition(id: string, to: TransitionTarget, actor: string, reason: string | null, extra: TransitionFields = {}, expected?: RunStatus | RunStatus[], within?: TransitionWork): Promise<RunStatus> {
    if (!this.retryMs) return this.transitionOnce(id, to, actor, reason, extra, expected, within);
    // Safe to repeat: when an attempt did commit before its connection died, the next one finds the
    // run already moved and answers a conflict instead of moving it twice.
    return retryWhileUnreachable(() => this.transitionOnce(id, to, actor, reason, extra, expected, within), {
      maxMs: this.retryMs,
      onRetry: (err, attempt) => {
        if (attempt === 1) this.logger.warn({ runId: id, to, err: (err as Error).message }, 'database unreachable; the status change waits for it');
      },
    });
  }

  private async transitionOnce(id: string, target: TransitionTarget, actor: string, reason: string | null, fields: TransitionFields, expected?: RunStatus | RunStatus[], within?: TransitionWork): Promise<RunStatus> {
    const { from, to, extra, row, events } = await this.db.transaction(async (em) => {
      const rows = (await em.query('SELECT status, "workcellId", "protocolName", "createdAt", "scheduledAt", "startedAt", "endedAt" FROM runs WHERE id = $1 FOR UPDATE', [id])) as RunRow[];
      if (!rows.length) throw AppException.notFound('Run', id);
      const row = rows[0]!;
      const from = row.status;
      const allowed = expected === undefined ? undefined : Array.isArray(expected) ? expected : [expected];
      if (allowed && !allowed.includes(from)) throw new AppException(ErrorCode.CONFLICT, `Run ${id} is ${from} now`, { status: from });
      const to = typeof target === 'function' ? target(from) : target;
      const extra = typeof fields === 'function' ? fields(to) : fields;
      assertTransition(id, from, to);
      await em.getRepository(Run).update({ id }, { ...extra, status: to } as never);
      const events = await this.record(em, id, from, to, actor, reason);
      if (within) await within(em, from, to);
      return { from, to, extra, row, events };
    });
    await this.publish(id, row.workcellId, events);
    // Counted once committed, by the process that made the change.
    observeRunTransition({
      protocol: row.protocolName,
      from,
      to,
      createdAt: new Date(row.createdAt),
      scheduledAt: row.scheduledAt ? new Date(row.scheduledAt) : null,
      startedAt: extra.startedAt ? new Date(extra.startedAt) : row.startedAt ? new Date(row.startedAt) : null,
      endedAt: extra.endedAt ? new Date(extra.endedAt) : row.endedAt ? new Date(row.endedAt) : null,
    });
    return from;
  }

  /** Publishes `run.status` events once their transaction has committed (for the API instances' subscribers). */
  publish(runId: string, workcellId: string, events: LiveEvent[]): Promise<void> {
    return this.live.publish({ runId, workcellId, events });
  }

  /** Like transition, but answers false instead of throwing when the run is no longer in an expected status. */
  async tryTransition(id: string, to: RunStatus, actor: string, reason: string | null, extra: Partial<Run> = {}, expected?: RunStatus | RunStatus[], within?: TransitionWork): Promise<boolean> {
    try {
      await this.transition(id, to, actor, reason, extra, expected, within);
      return true;
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.CONFLICT) return false;
      throw err;
    }
  }

  /** Records a status change in the caller's transaction: the transition row and the `run.status` event (answered, to publish after commit). */
  async record(em: EntityManager, runId: string, from: RunStatus | null, to: RunStatus, actor: string, reason: string | null): Promise<LiveEvent[]> {
    const at = new Date();
    await em.getRepository(RunTransition).insert({ id: uuidv7(), runId, from, to, actor, reason, at });
    return appendRunEvents(em, runId, [{ type: 'run.status', at, payload: { from, to, actor, reason } }]);
  }
}
