// Buffered writes of a run's records: step calls (upserted: inserted when they start, completed
// when they end), hardware commands and outputs. Flushed every 100 ms and at the end of the run,
// so logging every call costs one round trip per batch, not per event. The same happenings go to
// the run's live event log at once (RunEventWriter: no timer, it writes as soon as it can).
import type { LogEntry, OutputRecord, StepEnd, StepStart } from '@praxis/protocol';
import { stateView, type CommandEvent } from '@praxis/hardware';
import { retryWhileUnreachable } from '@praxis/common';
import { uuidv7 } from '@praxis/database';
import type { DataSource } from 'typeorm';
import type { RunEventWriter } from '../events/run-event-log.js';

const FLUSH_MS = 100;
const MAX_BATCH = 500;
/**
 * How long a batch is retried while PostgreSQL is unreachable (restarting, failing over) before
 * the run is failed for lost records. Meanwhile the batches wait in order in memory; every write
 * is idempotent (upsert / insert-or-ignore), so a retry after an unknown outcome adds nothing twice.
 */
export const RECORD_RETRY_MS = 120_000;

interface CallRow {
  seq: number;
  parentSeq: number | null;
  name: string;
  status: string;
  args: unknown;
  result: unknown;
  error: unknown;
  stateDiff: unknown;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
}

export class RunRecorder {
  private calls = new Map<number, CallRow>();
  private commands: unknown[][] = [];
  private outputs: unknown[][] = [];
  private commandSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private writeError: Error | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly runId: string,
    private readonly protocolName: string,
    private readonly events: RunEventWriter | null = null,
    private readonly onRetry?: (err: unknown, attempt: number) => void,
  ) {}

  /** The first write error (the run is failed with it: records must not be lost silently). */
  get error(): Error | null {
    return this.writeError ?? this.events?.error ?? null;
  }

  stepStarted(s: StepStart): void {
    this.calls.set(s.seq, { seq: s.seq, parentSeq: s.parentSeq, name: s.name, status: 'running', args: s.args, result: null, error: null, stateDiff: null, startedAt: new Date(s.startedAt), endedAt: null, durationMs: null });
    this.schedule();
    this.events?.emit('run.step', { phase: 'start', stepSeq: s.seq, parentSeq: s.parentSeq, name: s.name, args: s.args });
  }

  stepEnded(e: StepEnd): void {
    const row = this.calls.get(e.seq) ?? ({ seq: e.seq, parentSeq: null, name: e.name, args: [], startedAt: new Date(e.endedAt - e.durationMs) } as CallRow);
    Object.assign(row, { status: e.status, result: e.result ?? null, error: e.error ?? null, stateDiff: Object.keys(e.stateDiff).length ? e.stateDiff : null, endedAt: new Date(e.endedAt), durationMs: e.durationMs });
    this.calls.set(e.seq, row);
    this.schedule();
    this.events?.emit('run.step', { phase: 'end', stepSeq: e.seq, parentSeq: row.parentSeq, name: e.name, status: e.status, result: row.result, error: row.error, durationMs: e.durationMs });
  }

  command(e: CommandEvent, machineId: string | null, stepSeq: number | null): number {
    const seq = ++this.commandSeq;
    this.commands.push([this.runId, seq, stepSeq, machineId, e.machine, e.command, JSON.stringify(e.args ?? {}), e.result === undefined ? null : JSON.stringify(e.result), e.error ? JSON.stringify(e.error) : null, e.durationMs, new Date(e.at - e.durationMs), new Date(e.at)]);
    this.schedule();
    this.events?.emit('run.command', { commandSeq: seq, stepSeq, machineId, machine: e.machine, command: e.command, args: e.args ?? {}, result: e.result ?? null, error: e.error ?? null, durationMs: e.durationMs });
    return seq;
  }

  output(o: OutputRecord): void {
    this.outputs.push([uuidv7(), this.runId, this.protocolName, o.name, o.type, JSON.stringify(o.value), o.resource ?? null, o.stepSeq, new Date(o.at)]);
    this.schedule();
    this.events?.emit('run.output', { name: o.name, type: o.type, value: o.value, resource: o.resource ?? null, stepSeq: o.stepSeq });
  }

  /** The whole deck state after it was restored from the run's snapshot (a failed or cancelled run). */
  deckRestored(states: Record<string, unknown>): void {
    this.events?.emit('deck.state', { machine: null, restored: true, resources: deckResources(states) });
  }

  /** A protocol log line (live only: the worker's log keeps it too). */
  log(e: LogEntry): void {
    this.events?.emit('run.log', { level: e.level, message: e.message, data: e.data ?? null, stepSeq: e.stepSeq });
  }

  inputRequested(r: { id: string; prompt: string; fieldsSchema: Record<string, unknown>; timeoutMs?: number; stepSeq: number | null }): void {
    this.events?.emit('run.input_required', { promptId: r.id, prompt: r.prompt, fieldsSchema: r.fieldsSchema, stepSeq: r.stepSeq, timeoutMs: r.timeoutMs ?? null });
  }

  /**
   * `deck.state` after a hardware call changed tips or volumes, or moved labware (what
   * executeWireCall reports): per resource `{ hasTip }` for tip spots and `{ volume }` (µL) for
   * wells and other containers, so a dashboard redraws only what changed.
   */
  deckChanged(machine: string, update: { states?: Record<string, unknown>; moves?: unknown[] } | undefined): void {
    if (!this.events || !update || (!update.states && !update.moves?.length)) return;
    this.events.emit('deck.state', { machine, resources: deckResources(update.states ?? {}), ...(update.moves?.length ? { moves: update.moves } : {}) });
  }

  private schedule(): void {
    if (this.commands.length + this.calls.size + this.outputs.length >= MAX_BATCH) {
      void this.flushRecords();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flushRecords();
    }, FLUSH_MS);
  }

  /** Writes everything buffered; resolves when it (and any flush before it) is in the database. */
  async flush(): Promise<void> {
    await Promise.all([this.flushRecords(), this.events?.flush()]);
  }

  private flushRecords(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const calls = [...this.calls.values()];
    const commands = this.commands;
    const outputs = this.outputs;
    this.calls = new Map();
    this.commands = [];
    this.outputs = [];
    this.flushing = this.flushing.then(() => retryWhileUnreachable(() => this.write(calls, commands, outputs), { maxMs: RECORD_RETRY_MS, onRetry: this.onRetry })).catch((err: Error) => {
      this.writeError ??= err;
    });
    return this.flushing;
  }

  private async write(calls: CallRow[], commands: unknown[][], outputs: unknown[][]): Promise<void> {
    if (calls.length) {
      const values: unknown[] = [];
      const rows = calls.map((c, i) => {
        values.push(this.runId, c.seq, c.parentSeq, c.name, c.status, JSON.stringify(c.args ?? []), c.result === null || c.result === undefined ? null : JSON.stringify(c.result), c.error ? JSON.stringify(c.error) : null, c.stateDiff ? JSON.stringify(c.stateDiff) : null, c.startedAt, c.endedAt, c.durationMs);
        const b = i * 12;
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6}::jsonb,$${b + 7}::jsonb,$${b + 8}::jsonb,$${b + 9}::jsonb,$${b + 10},$${b + 11},$${b + 12})`;
      });
      await this.db.query(
        `INSERT INTO run_calls ("runId", seq, "parentSeq", name, status, args, result, error, "stateDiff", "startedAt", "endedAt", "durationMs") VALUES ${rows.join(',')}
         ON CONFLICT ("runId", seq) DO UPDATE SET status = EXCLUDED.status, result = EXCLUDED.result, error = EXCLUDED.error, "stateDiff" = EXCLUDED."stateDiff", "endedAt" = EXCLUDED."endedAt", "durationMs" = EXCLUDED."durationMs"`,
        values,
      );
    }
    for (let i = 0; i < commands.length; i += 400) {
      const chunk = commands.slice(i, i + 400);
      const values = chunk.flat();
      const rows = chunk.map((_, j) => {
        const b = j * 12;
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7}::jsonb,$${b + 8}::jsonb,$${b + 9}::jsonb,$${b + 10},$${b + 11},$${b + 12})`;
      });
      await this.db.query(`INSERT INTO run_commands ("runId", seq, "stepSeq", "machineId", machine, command, args, result, error, "durationMs", "startedAt", at) VALUES ${rows.join(',')} ON CONFLICT ("runId", seq) DO NOTHING`, values);
    }
    if (outputs.length) {
      const values = outputs.flat();
      const rows = outputs.map((_, j) => {
        const b = j * 9;
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6}::jsonb,$${b + 7},$${b + 8},$${b + 9})`;
      });
      await this.db.query(`INSERT INTO run_outputs (id, "runId", "protocolName", name, type, value, resource, "stepSeq", at) VALUES ${rows.join(',')} ON CONFLICT (id) DO NOTHING`, values);
    }
  }
}

/** Tracker states as a dashboard needs them (the same view `GET /decks/{id}/state` answers). */
export function deckResources(states: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return stateView(states);
}
