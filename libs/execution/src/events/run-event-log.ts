// Writing a run's event log. Every append allocates its seqs from `runs."lastEventSeq"` and inserts
// the events in one statement: the UPDATE holds the run's row lock until the statement commits, so
// two writers (the worker's events, a status change by the API) get consecutive, gap-free seqs and
// commit in seq order. That is what lets a subscriber treat "seq N+2 arrived but not N+1" as
// "N+1 is committed, read it back", never as "N+1 may still come".
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { isConnectionError } from '@praxis/common';
import { RECORD_RETRY_MS } from '../worker/run-recorder.js';
import type { LiveEvent, LiveEventPublisher } from '@praxis/redis';
import type { RunEvent } from './run-event.entity.js';

export type RunEventType = 'run.status' | 'run.step' | 'run.command' | 'run.log' | 'run.input_required' | 'run.output' | 'deck.state';

export interface RunEventDraft {
  type: RunEventType;
  at: Date;
  payload: Record<string, unknown>;
}

/** A DataSource or a transaction's EntityManager. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

// $6, the batch key (the worker's writer only): a retried batch whose first attempt did commit
// (the connection died before the answer came back) matches the key it left on the run, so the
// UPDATE takes no seqs and nothing is inserted twice. Appends without a key (status changes) leave
// the key alone, so one in between does not hide a committed batch.
const APPEND_SQL = `
  WITH head AS (
    UPDATE runs SET "lastEventSeq" = "lastEventSeq" + $2, "lastEventBatch" = COALESCE($6::uuid, "lastEventBatch")
     WHERE id = $1 AND ($6::uuid IS NULL OR "lastEventBatch" IS DISTINCT FROM $6::uuid)
    RETURNING "lastEventSeq" - $2 AS base)
  INSERT INTO run_events ("runId", seq, type, at, payload)
  SELECT $1, head.base + e.n, e.type, e.at, e.payload
    FROM head, unnest($3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY AS e(type, at, payload, n)
  RETURNING seq`;

/**
 * Stores events of one run (in this order) and answers them as stored; none when the run does not
 * exist, or when `batchKey` is the key of the last batch stored (a retry of a batch that committed).
 */
export async function appendRunEvents(db: Queryable, runId: string, drafts: readonly RunEventDraft[], batchKey: string | null = null): Promise<LiveEvent[]> {
  if (!drafts.length) return [];
  const rows = (await db.query(APPEND_SQL, [
    runId,
    drafts.length,
    drafts.map((d) => d.type),
    drafts.map((d) => d.at.toISOString()),
    drafts.map((d) => JSON.stringify(d.payload)),
    batchKey,
  ])) as Array<{ seq: number }>;
  if (!rows.length) return [];
  const base = Math.min(...rows.map((r) => r.seq)) - 1;
  return drafts.map((d, i) => ({ seq: base + i + 1, runId, type: d.type, at: d.at.toISOString(), payload: d.payload }));
}

export function toLiveEvent(row: Pick<RunEvent, 'runId' | 'seq' | 'type' | 'at' | 'payload'>): LiveEvent {
  return { seq: row.seq, runId: row.runId, type: row.type, at: new Date(row.at).toISOString(), payload: row.payload };
}

const MAX_BATCH = 500;
const RETRY_MS = [100, 250, 500, 1000, 2000];
const LINGER_MS = 5;

/**
 * The worker's writer of one run's events, group-commit style: an event is written as soon as no
 * write is in flight; events arriving during a write accumulate and go in the next one. So a quiet
 * run writes each event at once (latency: one round trip), a busy one writes batches (throughput),
 * with no timer in between. Each committed batch is published right away for the API instances.
 * A failed write is retried (the events keep their order); after the last retry `error` is set and
 * the run fails with it, like its other records.
 */
export class RunEventWriter {
  private readonly logger = new Logger(RunEventWriter.name);
  private pending: RunEventDraft[] = [];
  private writing: Promise<void> | null = null;
  /** The write error that made events be dropped (the run is failed with it). */
  error: Error | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly publisher: LiveEventPublisher,
    private readonly runId: string,
    private readonly workcellId: string,
  ) {}

  emit(type: RunEventType, payload: Record<string, unknown>, at = new Date()): void {
    this.pending.push({ type, at, payload });
    this.writing ??= this.drain();
  }

  /** Resolves when every event emitted so far is stored (or given up on). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    let outageSince: number | null = null;
    // A failed batch is retried exactly as it was (same events, same key) before anything newer:
    // if its first attempt did commit, the retry stores nothing.
    let retry: { batch: RunEventDraft[]; key: string } | null = null;
    try {
      while (retry || this.pending.length) {
        // A few ms of lingering turns a busy run's hundreds of one-event writes into tens of
        // batches (database and worker CPU the run itself needs), for a few ms of latency.
        if (!retry) await new Promise((r) => setTimeout(r, LINGER_MS));
        const { batch, key }: { batch: RunEventDraft[]; key: string } = retry ?? { batch: this.pending.splice(0, MAX_BATCH), key: randomUUID() };
        retry = null;
        try {
          const events = await appendRunEvents(this.db, this.runId, batch, key);
          failures = 0;
          outageSince = null;
          // Nothing back for a batch that had committed: subscribers read those seqs back as a gap.
          if (events.length) void this.publisher.publish({ runId: this.runId, workcellId: this.workcellId, events });
        } catch (err) {
          // The database restarting is waited out as long as the run's other records are.
          const outage = isConnectionError(err) && Date.now() - (outageSince ??= Date.now()) < RECORD_RETRY_MS;
          if (!outage && failures >= RETRY_MS.length) {
            this.error ??= err as Error;
            this.logger.error({ runId: this.runId, dropped: batch.length, err: (err as Error).message }, 'run events could not be stored');
            continue;
          }
          retry = { batch, key };
          await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]));
        }
      }
    } finally {
      this.writing = null;
    }
  }
}
