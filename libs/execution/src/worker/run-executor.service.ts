import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { observeCommand, withLogContext } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import type { Machine, Resource } from '@praxis/hardware';
import { ProtocolDefinitionsService, RunChild, WarmRunProcesses, describeMachine, executeWireCall, failedCallUpdate, type RunOutcome, type RunSpec, type WireCall } from '@praxis/protocols';
import { LiveEventPublisher, MACHINE_STATUS_RETURNING, type MachineStatusRow, QUEUE_PREFIX, RedisService } from '@praxis/redis';
import type { LogEntry, OutputRecord, StepEnd, StepStart } from '@praxis/protocol';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type InputReply, RUN_CONTROL_CHANNEL, type RunControlMessage, runStateKey } from '../control.js';
import { RunEventWriter } from '../events/run-event-log.js';
import { AssetLockManager } from '../locks/asset-lock-manager.js';
import { LockLossHub } from '../locks/lock-provider.js';
import { RUN_QUEUE_PREFIX, type RunJobData, runQueueName } from '../run-queues.js';
import type { PendingInput, Run } from '../runs/run.entity.js';
import { RunStatus, TERMINAL_STATUSES, isTerminal } from '../runs/run-status.js';
import { freeRunHoldings } from '../runs/run-holdings.js';
import { RunTransitionsService } from '../runs/run-transitions.service.js';
import { RunRecorder } from './run-recorder.js';
import { type WorkcellRuntime, WorkcellRuntimeService } from './workcell-runtime.service.js';

/** How long a run whose assets are busy waits before it tries again (it keeps its place in line). */
const RETRY_MS = 400;
const CANCEL_GRACE_MS = 5000;
const WORKCELL_REFRESH_MS = 5000;
const DECK_BACKUP_MS = 30000;

interface ActiveRun {
  run: Run;
  child: RunChild | null;
  runtime: WorkcellRuntime;
  recorder: RunRecorder;
  machines: Map<string, Machine>;
  machineIds: Map<string, string>;
  /** The step each machine's current call belongs to (for the command log). */
  stepOf: Map<string, number | null>;
  paused: boolean;
  resumeWaiters: Array<() => void>;
  cancelled: string | null;
  reserved: Set<string>;
  savedAt: number;
  /** Set when the run's locks were lost: the run is stopped and fails with this reason. */
  lostReservation?: string;
}

export const WORKER_ID = Symbol('WORKER_ID');

/**
 * Executes runs: one BullMQ worker per workcell queue. For each job: waits its turn (priority, then
 * age, among runs wanting the same assets), reserves all assets at once (Redlock + reservation
 * rows), snapshots the deck, runs the protocol in a child process whose hardware calls it executes
 * on the workcell's live machines (logging each), applies pause/resume/cancel and prompt answers
 * from the API, and on the way out restores the deck on failure or cancel and releases everything.
 */
@Injectable()
export class RunExecutor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunExecutor.name);
  private readonly workers = new Map<string, Worker<RunJobData>>();
  /** Per workcell: the queue, to wake the runs waiting in line when assets are freed. */
  private readonly lines = new Map<string, Queue<RunJobData>>();
  private readonly active = new Map<string, ActiveRun>();
  private subscriber: Redis | null = null;
  private refresh: NodeJS.Timeout | null = null;
  private backup: NodeJS.Timeout | null = null;
  private closing = false;
  /** The WORKER_WORKCELLS entries last found missing (warned about once per change). */
  private unknownWorkcells = '';
  readonly workerId = `${hostname()}:${process.pid}`;
  /** A run process started ahead of time, so a run does not wait for node to start and load. */
  private warm: WarmRunProcesses | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly locks: AssetLockManager,
    private readonly transitions: RunTransitionsService,
    private readonly runtimes: WorkcellRuntimeService,
    private readonly definitions: ProtocolDefinitionsService,
    private readonly lockLoss: LockLossHub,
    private readonly live: LiveEventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = this.redis.client.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, text: string) => void this.onControl(text));
    await this.subscriber.subscribe(RUN_CONTROL_CHANNEL);
    this.warm = new WarmRunProcesses(this.config.protocols.sandboxMemoryMb);
    void this.warm.refill();
    // Exclusivity is no longer guaranteed: stop the run before it touches the hardware again.
    this.lockLoss.on((runId, err) => {
      const a = this.active.get(runId);
      if (!a) return;
      this.logger.error({ runId, err: err.message }, 'asset reservation lost; cancelling the run');
      a.cancelled = `its asset reservation was lost (${err.message})`;
      a.lostReservation = a.cancelled;
      a.paused = false;
      for (const w of a.resumeWaiters.splice(0)) w();
      a.child?.cancel(a.cancelled, CANCEL_GRACE_MS);
    });
    await this.refreshWorkcells();
    this.refresh = setInterval(() => void this.refreshWorkcells().catch(() => undefined), WORKCELL_REFRESH_MS);
    // Deck state backup while runs go on (it is also saved at the end of each run).
    this.backup = setInterval(() => void this.backupDecks(), DECK_BACKUP_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.refresh) clearInterval(this.refresh);
    if (this.backup) clearInterval(this.backup);
    for (const a of this.active.values()) a.child?.cancel('the worker is shutting down', 1000);
    await Promise.all([...this.workers.values()].map((w) => w.close().catch(() => undefined)));
    await Promise.all([...this.lines.values()].map((q) => q.close().catch(() => undefined)));
    await this.subscriber?.quit().catch(() => undefined);
    await this.locks.close();
    await this.warm?.close();
  }

  /** Only a run holding the deck's machine writes the deck state (no other run can change it). */
  private ownsDeck(a: ActiveRun): boolean {
    return a.runtime.deckMachine !== null && a.machines.has(a.runtime.deckMachine);
  }

  private async backupDecks(): Promise<void> {
    const runtimes = new Set([...this.active.values()].filter((a) => this.ownsDeck(a)).map((a) => a.runtime));
    for (const rt of runtimes) await this.runtimes.saveDeckState(rt).catch((err: Error) => this.logger.warn({ workcellId: rt.workcellId, err: err.message }, 'deck state backup failed'));
  }

  /** The queues this worker consumes (one per workcell). */
  get queues(): string[] {
    return [...this.workers.keys()].map(runQueueName);
  }

  /** The workcells whose runs this worker takes. */
  get workcellIds(): string[] {
    return [...this.workers.keys()];
  }

  /** The runs executing here now. */
  get activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  private async refreshWorkcells(): Promise<void> {
    if (this.closing) return;
    const rows = (await this.db.query('SELECT id, name FROM workcells')) as Array<{ id: string; name: string }>;
    // WORKER_WORKCELLS: a worker on a workcell host consumes only its own workcells' queues, so a
    // run never lands on a worker that cannot reach its instruments.
    const wanted = this.config.worker.workcells;
    const mine = wanted.length ? rows.filter((r) => wanted.includes(r.id) || wanted.includes(r.name)) : rows;
    const unknown = wanted.filter((w) => !rows.some((r) => r.id === w || r.name === w));
    const report = unknown.join(',');
    if (report !== this.unknownWorkcells) {
      this.unknownWorkcells = report;
      if (unknown.length) this.logger.warn({ workcells: unknown }, 'WORKER_WORKCELLS names workcells that do not exist (yet); this worker runs them once they do');
    }
    for (const { id } of mine) {
      if (this.workers.has(id)) continue;
      const worker = new Worker<RunJobData>(runQueueName(id), (job, token) => this.process(job, token), {
        connection: { url: this.config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 },
        prefix: QUEUE_PREFIX,
        concurrency: 16,
        // A dead worker's active job is noticed within ~15 s. It is never run again by BullMQ
        // (maxStalledCount 0): a started run becomes interrupted, an unstarted one is re-queued
        // by the API's recovery sweep.
        lockDuration: 10000,
        stalledInterval: 5000,
        maxStalledCount: 0,
      });
      worker.on('error', (err) => this.logger.warn({ queue: `${RUN_QUEUE_PREFIX}${id}`, err: err.message }, 'run queue error'));
      this.workers.set(id, worker);
      const line: Queue<RunJobData> = new Queue(runQueueName(id), { connection: { url: this.config.redis.url, maxRetriesPerRequest: null, connectTimeout: 5000 }, prefix: QUEUE_PREFIX });
      line.on('error', () => undefined);
      this.lines.set(id, line);
    }
  }

  private async process(job: Job<RunJobData>, token?: string): Promise<void> {
    const runId = job.data.runId;
    const run = (await this.db.query('SELECT * FROM runs WHERE id = $1', [runId]))[0] as Run | undefined;
    if (!run || isTerminal(run.status)) {
      if (run) await this.redis.client.srem(this.lineKey(run.workcellId), runId).catch(() => undefined);
      return;
    }
    // Every line logged for this run, in any service it reaches, carries its id and trace id.
    return withLogContext({ runId, ...(run.traceId ? { traceId: run.traceId } : {}) }, () => this.claim(job, run, token));
  }

  /** Takes the run's assets (or waits in line for them), executes it, and frees them. */
  private async claim(job: Job<RunJobData>, run: Run, token?: string): Promise<void> {
    const runId = run.id;
    if (run.status === RunStatus.Scheduled) await this.transitions.tryTransition(runId, RunStatus.Queued, 'scheduler', 'its time came', {}, RunStatus.Scheduled);
    else if (run.status !== RunStatus.Queued) {
      // Its job came back although the run started: BullMQ took it for stalled because its lock
      // lapsed (the worker died, or Redis was away longer than the lock). Never re-run a physical
      // protocol, and never end it from here either: it may still be executing (here or on another
      // worker). If its worker is gone, the recovery sweep interrupts it and frees its assets.
      this.logger.warn({ runId, status: run.status, executingHere: this.active.has(runId) }, 'the job of a started run came back; left to its worker or the recovery sweep');
      return;
    }
    const assetIds = Object.values(run.assets).map((a) => a.id);
    if (await this.someoneAhead(run, assetIds)) return this.waitInLine(job, token);
    const got = await this.locks.acquire(runId, assetIds);
    if (!got.ok) return this.waitInLine(job, token);
    let clash: string[];
    try {
      clash = await this.reserve(run);
    } catch (err) {
      await this.locks.release(runId).catch(() => undefined);
      throw err;
    }
    if (clash.length) {
      // Redis granted locks that Postgres says an unfinished run holds: Redis lost its keys
      // (a restart without persistence). The durable record wins; wait until it is freed.
      this.logger.warn({ runId, assets: clash }, 'assets locked in Redis but reserved in the database by a run that has not ended; waiting');
      await this.locks.release(runId).catch(() => undefined);
      return this.waitInLine(job, token);
    }
    await this.redis.client.srem(this.lineKey(run.workcellId), runId).catch(() => undefined);
    try {
      await this.execute(run);
    } finally {
      await this.locks.release(runId).catch(() => undefined);
      await freeRunHoldings(this.db, [runId]).then(({ machines }) => this.live.machineStatus(machines), () => undefined);
      await this.wakeLine(run.workcellId);
    }
  }

  private lineKey(workcellId: string): string {
    return this.redis.key('line', workcellId);
  }

  /** Assets were freed: the runs waiting in line try again now instead of at their next retry. */
  private async wakeLine(workcellId: string): Promise<void> {
    const queue = this.lines.get(workcellId);
    if (!queue) return;
    try {
      const ids = await this.redis.client.smembers(this.lineKey(workcellId));
      for (const id of ids) {
        const job = await Job.fromId(queue, id);
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    } catch (err) {
      this.logger.warn({ workcellId, err: (err as Error).message }, 'could not wake the runs waiting in line');
    }
  }

  /** A queued run ahead in line (higher priority, or same and older) wants one of the same assets. */
  private async someoneAhead(run: Run, assetIds: string[]): Promise<boolean> {
    const rows = (await this.db.query(
      `SELECT 1 FROM runs r
        WHERE r."workcellId" = $1 AND r.status = 'queued' AND r.id <> $2
          AND (r.priority > $3 OR (r.priority = $3 AND r.id < $2))
          AND EXISTS (SELECT 1 FROM jsonb_each(r.assets) a WHERE (a.value->>'id') = ANY($4::text[]))
        LIMIT 1`,
      [run.workcellId, run.id, run.priority, assetIds],
    )) as unknown[];
    return rows.length > 0;
  }

  private async waitInLine(job: Job<RunJobData>, token?: string): Promise<void> {
    const workcellId = job.queueName.slice(RUN_QUEUE_PREFIX.length);
    await this.redis.client.sadd(this.lineKey(workcellId), job.data.runId);
    await job.moveToDelayed(Date.now() + RETRY_MS + Math.floor(Math.random() * 100), token);
    throw new DelayedError();
  }

  private async execute(run: Run): Promise<void> {
    const runId = run.id;
    const actor = `worker:${this.workerId}`;
    if (!(await this.transitions.tryTransition(runId, RunStatus.Preparing, actor, null, { workerId: this.workerId }, RunStatus.Queued))) return;
    let runtime: WorkcellRuntime;
    const recorder = new RunRecorder(this.db, runId, run.protocolName, new RunEventWriter(this.db, this.live, runId, run.workcellId), (err, attempt) => {
      if (attempt === 1) this.logger.warn({ runId, err: (err as Error).message }, 'database unreachable; the run goes on and its records wait in memory');
    });
    let active: ActiveRun | null = null;
    let usedRuntime: WorkcellRuntime | null = null;
    let snapshot: ReturnType<NonNullable<WorkcellRuntime['deck']>['serializeAllState']> | null = null;
    const heads = new Map<string, Record<string, unknown>>();
    try {
      runtime = await this.runtimes.get(run.workcellId);
      runtime.users++;
      usedRuntime = runtime;
      const machineAssets = Object.values(run.assets).filter((a) => a.kind === 'machine');
      const machines = new Map<string, Machine>();
      const machineIds = new Map<string, string>();
      for (const a of machineAssets) {
        const live = runtime.machines.get(a.name);
        if (!live) throw new Error(`machine ${a.name} has no driver in this worker`);
        machines.set(a.name, live.machine);
        machineIds.set(a.name, live.id);
      }
      await this.runtimes.ensureSetUp(runtime, [...machines.keys()]);
      active = { run, child: null, runtime, recorder, machines, machineIds, stepOf: new Map(), paused: false, resumeWaiters: [], cancelled: null, reserved: new Set(Object.values(run.assets).filter((a) => a.kind === 'resource').map((a) => a.name)), savedAt: 0 };
      this.active.set(runId, active);
      snapshot = runtime.deck ? runtime.deck.serializeAllState() : null;
      for (const [name, m] of machines) if ('serializeHeadState' in m) heads.set(name, (m as unknown as { serializeHeadState(): Record<string, unknown> }).serializeHeadState());

      const def = await this.definitions.getWithCode(run.protocolId);
      const spec: RunSpec = {
        runId,
        code: def.code,
        codeHash: def.codeHash,
        file: def.file,
        exportName: def.exportName,
        root: def.source?.path ?? undefined,
        parameters: run.parameters,
        ...(run.properties?.initialState ? { initialState: run.properties.initialState as RunSpec['initialState'] } : {}),
        deck: runtime.deck ? { layout: runtime.deck.serialize(), state: runtime.deck.serializeAllState() } : null,
        assets: Object.fromEntries(
          Object.entries(run.assets).map(([key, a]) => [key, a.kind === 'machine' ? describeMachine(machines.get(a.name)!) : { kind: 'resource' as const, name: a.name }]),
        ),
      };
      const unsubscribe = [...machines].map(([name, m]) =>
        m.onCommand((e) => {
          recorder.command(e, machineIds.get(name) ?? null, active!.stepOf.get(name) ?? null);
          observeCommand(e);
        }),
      );
      const warm = await this.warm?.take();
      const child = new RunChild(spec, this.handlers(active), { memoryMb: this.config.protocols.sandboxMemoryMb, hangTimeoutMs: this.config.protocols.hangTimeoutMs, ...(warm ? { warm } : {}) });
      active.child = child;
      if (active.cancelled !== null) child.cancel(active.cancelled, CANCEL_GRACE_MS);
      const started = await this.transitions.tryTransition(runId, RunStatus.Running, actor, null, { startedAt: new Date() }, RunStatus.Preparing);
      if (!started) child.cancel('cancelled before it started', 0);
      else this.logger.log({ protocol: run.protocolName, workcellId: run.workcellId, workerId: this.workerId }, 'run started');
      await child.start().catch(() => undefined);
      const outcome = await child.outcome;
      if (outcome.status !== 'completed') await this.recover(active);
      for (const off of unsubscribe) off();
      await recorder.flush();
      await this.finish(active, outcome, snapshot, heads);
      this.logger.log({ protocol: run.protocolName, outcome: outcome.status }, 'run ended');
    } catch (err) {
      await recorder.flush().catch(() => undefined);
      const message = (err as Error).message ?? String(err);
      this.logger.error({ runId, err: message }, 'run failed before or outside its protocol');
      if (snapshot && active?.runtime.deck) active.runtime.deck.loadAllState(snapshot);
      await this.transitions.tryTransition(runId, RunStatus.Failed, actor, message, { endedAt: new Date(), error: { name: (err as Error).name ?? 'Error', message, step: null } }).catch(() => undefined);
    } finally {
      this.active.delete(runId);
      if (active) {
        for (const w of active.resumeWaiters.splice(0)) w();
        if (this.ownsDeck(active)) await this.runtimes.saveDeckState(active.runtime).catch((e: Error) => this.logger.warn({ runId, err: e.message }, 'deck state not saved'));
      }
      if (usedRuntime) usedRuntime.users--;
    }
  }

  /**
   * Writes the run's reservation rows (the durable record of who holds what) and marks its
   * machines and resources, all in one transaction. A row of another run that has not ended is
   * never taken over: then nothing is written and the assets in that clash are answered.
   */
  private async reserve(run: Run): Promise<string[]> {
    const assets = Object.values(run.assets);
    if (!assets.length) return [];
    const clash = new Error('reservation clash');
    let machines: MachineStatusRow[] = [];
    try {
      await this.db.transaction(async (em) => {
        const values: unknown[] = [TERMINAL_STATUSES];
        const rows = assets.map((a, i) => {
          values.push(a.id, a.kind, a.name, run.id);
          return `($${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}, $${i * 4 + 5}, now())`;
        });
        const taken = (await em.query(
          `INSERT INTO reservations ("assetId", "assetKind", "assetName", "runId", "acquiredAt") VALUES ${rows.join(',')}
           ON CONFLICT ("assetId") DO UPDATE SET "runId" = EXCLUDED."runId", "acquiredAt" = now()
            WHERE reservations."runId" = EXCLUDED."runId"
               OR NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = reservations."runId" AND NOT (r.status = ANY($1::text[])))
           RETURNING "assetId"`,
          values,
        )) as Array<{ assetId: string }>;
        if (taken.length < assets.length) {
          const got = new Set(taken.map((t) => t.assetId));
          throw Object.assign(clash, { assets: assets.filter((a) => !got.has(a.id)).map((a) => a.name) });
        }
        const machineIds = assets.filter((a) => a.kind === 'machine').map((a) => a.id);
        if (machineIds.length) {
          // TypeORM answers an UPDATE ... RETURNING with [rows, affected].
          [machines] = (await em.query(`UPDATE machines SET status = 'in_use', "currentRunId" = $2 WHERE id = ANY($1::uuid[]) RETURNING ${MACHINE_STATUS_RETURNING}`, [machineIds, run.id])) as [MachineStatusRow[]];
        }
        const resourceIds = assets.filter((a) => a.kind === 'resource').map((a) => a.id);
        if (resourceIds.length) await em.query(`UPDATE resources SET "currentRunId" = $2 WHERE id = ANY($1::uuid[])`, [resourceIds, run.id]);
      });
    } catch (err) {
      if (err === clash) return (clash as Error & { assets: string[] }).assets;
      throw err;
    }
    if (machines.length) await this.live.machineStatus(machines);
    return [];
  }

  private handlers(a: ActiveRun) {
    const runId = a.run.id;
    const stateKey = runStateKey(runId);
    return {
      command: async (call: WireCall, signal: AbortSignal) => {
        await this.gate(a, signal);
        a.stepOf.set(call.machine, call.stepSeq);
        try {
          const reply = await executeWireCall(a.machines, a.runtime.deck, call, { canUse: (r: Resource) => this.canUse(a, r) });
          a.recorder.deckChanged(call.machine, reply);
          return reply;
        } catch (err) {
          a.recorder.deckChanged(call.machine, failedCallUpdate(err));
          throw err;
        }
      },
      stepStarted: (s: StepStart) => a.recorder.stepStarted(s),
      stepEnded: (s: StepEnd) => {
        a.recorder.stepEnded(s);
        // The deck as of the last finished step survives a worker crash (at most once a second).
        if (s.status === 'completed' && this.ownsDeck(a) && Date.now() - a.savedAt > 1000) {
          a.savedAt = Date.now();
          void this.runtimes.saveDeckState(a.runtime).catch(() => undefined);
        }
      },
      log: (e: LogEntry) => {
        // At the protocol's own level, with the run's ids set here: these callbacks are reached
        // from the child's messages, not from inside the run's log context.
        const fields = { runId, ...(a.run.traceId ? { traceId: a.run.traceId } : {}), stepSeq: e.stepSeq, source: 'protocol', ...(e.data !== undefined ? { data: e.data } : {}) };
        if (e.level === 'error') this.logger.error(fields, e.message);
        else if (e.level === 'warn') this.logger.warn(fields, e.message);
        else if (e.level === 'debug') this.logger.debug(fields, e.message);
        else this.logger.log(fields, e.message);
        a.recorder.log(e);
      },
      processOutput: (stream: 'stdout' | 'stderr', line: string) => {
        const fields = { runId, ...(a.run.traceId ? { traceId: a.run.traceId } : {}), stepSeq: a.child?.currentStep ?? null, source: 'protocol-process', stream };
        if (stream === 'stderr') this.logger.warn(fields, line);
        else this.logger.log(fields, line);
      },
      output: (o: OutputRecord) => a.recorder.output(o),
      stateChanged: (key: string, value: unknown) => {
        const op = value === undefined ? this.redis.client.hdel(stateKey, key) : this.redis.client.hset(stateKey, key, JSON.stringify(value));
        op.catch((err: Error) => this.logger.warn({ runId, key, err: err.message }, 'run state not written'));
      },
      inputRequested: (request: { id: string; prompt: string; fieldsSchema: Record<string, unknown>; timeoutMs?: number; stepSeq: number | null }, signal: AbortSignal) => {
        const pending: PendingInput = { id: request.id, prompt: request.prompt, fieldsSchema: request.fieldsSchema, stepSeq: request.stepSeq, requestedAt: new Date().toISOString(), ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}) };
        a.recorder.inputRequested(request);
        void this.transitions
          .tryTransition(runId, RunStatus.AwaitingInput, `worker:${this.workerId}`, request.prompt, { pendingInput: pending }, [RunStatus.Running, RunStatus.Pausing])
          .catch(() => undefined);
        signal.addEventListener(
          'abort',
          () => {
            if (signal.reason === 'answered') return; // the answer handler moved it on
            void this.db.query('UPDATE runs SET "pendingInput" = NULL WHERE id = $1', [runId]).then(() =>
              signal.reason === 'timed-out' ? this.transitions.tryTransition(runId, RunStatus.Running, `worker:${this.workerId}`, 'the prompt timed out', {}, RunStatus.AwaitingInput) : undefined,
            );
          },
          { once: true },
        );
      },
    };
  }

  /** Resources the run may touch: those under its reserved ones, and deck fixtures no run owns (trash). */
  private canUse(a: ActiveRun, r: Resource): boolean {
    for (let node: Resource | null = r; node; node = node.parent) {
      if (a.reserved.has(node.name)) return true;
      if (a.runtime.resourceNames.has(node.name)) return false;
    }
    return true;
  }

  /** Holds the next hardware command while the run is paused (and marks it paused). */
  private async gate(a: ActiveRun, signal: AbortSignal): Promise<void> {
    if (!a.paused) return;
    await this.transitions.tryTransition(a.run.id, RunStatus.Paused, `worker:${this.workerId}`, 'holding the next hardware command', {}, RunStatus.Pausing);
    while (a.paused && !signal.aborted && a.cancelled === null) {
      await new Promise<void>((resolve) => {
        a.resumeWaiters.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  private async onControl(text: string): Promise<void> {
    let msg: RunControlMessage;
    try {
      msg = JSON.parse(text) as RunControlMessage;
    } catch {
      return;
    }
    const a = this.active.get(msg.runId);
    if (!a) return;
    switch (msg.action) {
      case 'pause':
        a.paused = true;
        return;
      case 'resume':
        a.paused = false;
        for (const w of a.resumeWaiters.splice(0)) w();
        return;
      case 'cancel':
        a.cancelled = msg.reason ?? 'cancelled by the operator';
        a.paused = false;
        for (const w of a.resumeWaiters.splice(0)) w();
        a.child?.cancel(a.cancelled, CANCEL_GRACE_MS);
        return;
      case 'input': {
        let reply: InputReply;
        if (!a.child) reply = { ok: false, conflict: 'the run is not executing' };
        else {
          const r = await a.child.answerInput(msg.inputId, msg.values);
          if (r.ok) {
            await this.transitions.tryTransition(a.run.id, a.paused ? RunStatus.Pausing : RunStatus.Running, 'operator', 'input answered', { pendingInput: null }, RunStatus.AwaitingInput);
            reply = { ok: true };
          } else reply = r.reason === 'invalid' ? { ok: false, issues: r.issues } : { ok: false, conflict: r.message };
        }
        await this.redis.client.multi().rpush(msg.replyKey, JSON.stringify(reply)).expire(msg.replyKey, 60).exec();
        return;
      }
    }
  }

  /**
   * After a failure or a cancel, the liquid handlers put the tips they hold back where they came
   * from (as Opentrons drops tips after a cancel), so the machines match the deck that is then
   * restored. Each recovery command is in the run's command log (no step); one that fails is
   * logged and left to the operator.
   */
  private async recover(a: ActiveRun): Promise<void> {
    for (const [name, m] of a.machines) {
      a.stepOf.set(name, null);
      const lh = m as unknown as { channels?: Array<{ hasTip: boolean }>; returnTips?(): Promise<void> };
      if (!lh.channels?.some((c) => c.hasTip) || !lh.returnTips) continue;
      try {
        await lh.returnTips();
      } catch (err) {
        this.logger.error({ runId: a.run.id, machine: name, err: (err as Error).message }, 'could not return the tips after the run ended; the operator must clear the channels');
      }
    }
  }

  private async finish(a: ActiveRun, outcome: RunOutcome, snapshot: Record<string, unknown> | null, heads: Map<string, Record<string, unknown>>): Promise<void> {
    const runId = a.run.id;
    const actor = `worker:${this.workerId}`;
    const writeError = a.recorder.error;
    const restore = async () => {
      if (snapshot && a.runtime.deck) a.runtime.deck.loadAllState(snapshot as never);
      for (const [name, head] of heads) (a.machines.get(name) as unknown as { loadHeadState?(h: Record<string, unknown>): void })?.loadHeadState?.(head);
      // Dashboards redraw the deck as restored, before the run's final status.
      if (snapshot && a.runtime.deck) a.recorder.deckRestored(a.runtime.deck.serializeAllState());
      await a.recorder.flush();
    };
    const ended = { endedAt: new Date(), pendingInput: null };
    if (a.lostReservation && outcome.status !== 'completed') {
      await restore();
      await this.transitions.tryTransition(runId, RunStatus.Failed, actor, a.lostReservation, { ...ended, error: { name: 'ReservationLost', message: `stopped: ${a.lostReservation}`, step: null } });
    } else if (outcome.status === 'completed' && !writeError) {
      await this.transitions.tryTransition(runId, RunStatus.Completed, actor, null, { ...ended, result: outcome.result as never });
    } else if (outcome.status === 'cancelled') {
      await restore();
      const ok = await this.transitions.tryTransition(runId, RunStatus.Cancelled, actor, outcome.reason ?? null, ended, RunStatus.Canceling);
      if (!ok) await this.transitions.tryTransition(runId, RunStatus.Canceling, actor, outcome.reason ?? null).then(() => this.transitions.tryTransition(runId, RunStatus.Cancelled, actor, outcome.reason ?? null, ended));
    } else {
      await restore();
      const error =
        outcome.status === 'failed'
          ? { name: outcome.error.name, message: outcome.error.message, step: outcome.step }
          : { name: 'RecordError', message: `the run's records could not be written: ${writeError!.message}`, step: null };
      await this.transitions.tryTransition(runId, RunStatus.Failed, actor, error.message, { ...ended, error });
    }
    if (outcome.state) {
      // The final state, also in the hash (writes during the run are fire-and-forget).
      const entries = Object.entries(outcome.state);
      if (entries.length) await this.redis.client.hset(runStateKey(runId), Object.fromEntries(entries.map(([k, v]) => [k, JSON.stringify(v)]))).catch(() => undefined);
    }
  }
}
