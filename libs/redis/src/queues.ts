/**
 * The job registry: queue names and, per queue, job name -> payload and result types.
 * Producers and processors both type against this, so a renamed job breaks the build.
 */
export const QUEUE_PREFIX = 'praxis-bull';

export const SYSTEM_QUEUE = 'system';

export interface SystemJobs {
  /** Round-trip check that a worker is consuming. */
  ping: { data: { requestedAt: string }; result: { workerId: string; answeredAt: string } };
}

export type SystemJobName = keyof SystemJobs;

/** Redis key (under RedisService.prefix) of a live worker's heartbeat. */
export const WORKER_HEARTBEAT_KEY = 'workers';
export interface WorkerHeartbeat {
  id: string;
  hostname: string;
  pid: number;
  startedAt: string;
  at: string;
  queues: string[];
  /** Ids of the workcells whose runs it takes (WORKER_WORKCELLS, or all). */
  workcells?: string[];
  /** Ids of the runs it is executing now. */
  runs?: string[];
}
