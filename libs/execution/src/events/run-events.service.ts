import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppException, type Page } from '@praxis/common';
import type { LiveEvent, MachineStatusRow } from '@praxis/redis';
import { DataSource } from 'typeorm';
import { toLiveEvent } from './run-event-log.js';
import type { RunEventsQueryDto } from './run-events.dto.js';
import type { RunEvent } from './run-event.entity.js';

/** Reads of the run event log (for REST and for subscribers' replay) and of workcells' machine statuses. */
@Injectable()
export class RunEventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The run's workcell and last event seq; 404 when there is no such run. */
  async head(runId: string): Promise<{ workcellId: string; lastSeq: number }> {
    const rows = (await this.db.query('SELECT "workcellId", "lastEventSeq" FROM runs WHERE id = $1', [runId])) as Array<{ workcellId: string; lastEventSeq: number }>;
    if (!rows.length) throw AppException.notFound('Run', runId);
    return { workcellId: rows[0]!.workcellId, lastSeq: rows[0]!.lastEventSeq };
  }

  /** Stored events with seq > afterSeq, in seq order, at most `limit`. */
  async after(runId: string, afterSeq: number, limit: number): Promise<LiveEvent[]> {
    const rows = (await this.db.query('SELECT "runId", seq, type, at, payload FROM run_events WHERE "runId" = $1 AND seq > $2 ORDER BY seq LIMIT $3', [runId, afterSeq, limit])) as RunEvent[];
    return rows.map(toLiveEvent);
  }

  /** The REST page: events after `afterSeq` (optionally of one type), with the list conventions. */
  async page(runId: string, q: RunEventsQueryDto): Promise<Page<LiveEvent>> {
    await this.head(runId);
    const params: unknown[] = [runId, q.afterSeq ?? 0];
    let where = '"runId" = $1 AND seq > $2';
    if (q.type) {
      params.push(q.type);
      where += ` AND type = $${params.length}`;
    }
    const [rows, count] = await Promise.all([
      this.db.query(`SELECT "runId", seq, type, at, payload FROM run_events WHERE ${where} ORDER BY seq LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, q.limit, q.offset]) as Promise<RunEvent[]>,
      this.db.query(`SELECT count(*)::int AS n FROM run_events WHERE ${where}`, params) as Promise<Array<{ n: number }>>,
    ]);
    return { items: rows.map(toLiveEvent), total: count[0]!.n, limit: q.limit, offset: q.offset };
  }

  /** Every machine of the workcell with its status; 404 when there is no such workcell. */
  async machines(workcellId: string): Promise<MachineStatusRow[]> {
    const found = (await this.db.query('SELECT 1 FROM workcells WHERE id = $1', [workcellId])) as unknown[];
    if (!found.length) throw AppException.notFound('Workcell', workcellId);
    return (await this.db.query('SELECT id, name, "workcellId", status, "currentRunId", "statusReason" FROM machines WHERE "workcellId" = $1 ORDER BY name', [workcellId])) as MachineStatusRow[];
  }
}
