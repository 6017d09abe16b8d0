// Live events travel from whichever process produced them (the worker, or an API instance changing
// a run's status or a machine's) to every API instance on one Redis pub/sub channel; each API
// instance delivers them to its own Socket.IO clients. Run events are stored first (run_events) and
// published after their commit, so a lost message is only late: the next one reveals the gap and
// the API reads it back from PostgreSQL.
import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from './redis.service.js';

export const LIVE_EVENTS_CHANNEL = 'praxis:events';

/**
 * One event as clients see it. Run events carry the run's `seq` (1, 2, 3... per run, the order
 * they were committed in); `machine.status` events are per workcell and carry no seq.
 */
export interface LiveEvent {
  seq: number | null;
  runId: string | null;
  type: string;
  /** ISO 8601, when the event happened (set by the process that produced it). */
  at: string;
  payload: Record<string, unknown>;
}

/** What goes over the channel: a committed batch of one run's events, or a workcell's machine statuses. */
export type LiveMessage = { runId: string; workcellId?: string; events: LiveEvent[] } | { workcellId: string; events: LiveEvent[] };

/** A machine row as read back by an UPDATE ... RETURNING of its status. */
export interface MachineStatusRow {
  id: string;
  name: string;
  workcellId: string;
  status: string;
  currentRunId: string | null;
  statusReason?: string | null;
}

/** The SQL `RETURNING` list that yields MachineStatusRow. */
export const MACHINE_STATUS_RETURNING = `id, name, "workcellId", status, "currentRunId", "statusReason"`;

export function machineStatusEvent(m: MachineStatusRow, at = new Date().toISOString()): LiveEvent {
  return {
    seq: null,
    runId: m.currentRunId ?? null,
    type: 'machine.status',
    at,
    payload: { workcellId: m.workcellId, machineId: m.id, name: m.name, status: m.status, currentRunId: m.currentRunId ?? null, reason: m.statusReason ?? null },
  };
}

/** Publishes live events. Never throws: the stored log is the truth, a lost message is caught up. */
@Injectable()
export class LiveEventPublisher {
  private readonly logger = new Logger(LiveEventPublisher.name);

  constructor(private readonly redis: RedisService) {}

  publish(message: LiveMessage): Promise<void> {
    if (!message.events.length) return Promise.resolve();
    return this.redis.client.publish(LIVE_EVENTS_CHANNEL, JSON.stringify(message)).then(
      () => undefined,
      (err: Error) => this.logger.warn({ err: err.message }, 'live events not published (subscribers catch up from the stored log)'),
    );
  }

  /** `machine.status` for each machine row (grouped per workcell). */
  async machineStatus(rows: readonly MachineStatusRow[]): Promise<void> {
    const at = new Date().toISOString();
    const byWorkcell = new Map<string, LiveEvent[]>();
    for (const m of rows) {
      const list = byWorkcell.get(m.workcellId) ?? [];
      list.push(machineStatusEvent(m, at));
      byWorkcell.set(m.workcellId, list);
    }
    await Promise.all([...byWorkcell].map(([workcellId, events]) => this.publish({ workcellId, events })));
  }
}
