import { timingSafeEqual as cryptoTimingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per process (API or worker): every Praxis metric is defined here once, so names and
 * labels stay consistent across the processes that feed them. Label values are patterns (route
 * templates, protocol names, machine ids), never raw paths or ids of runs, to keep cardinality bounded.
 */
export const metricsRegistry = new Registry();

const seconds = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export const metrics = {
  httpRequests: new Counter({ name: 'praxis_http_requests_total', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [metricsRegistry] }),
  httpDuration: new Histogram({ name: 'praxis_http_request_duration_seconds', help: 'HTTP request latency by method, route pattern and status', labelNames: ['method', 'route', 'status'], buckets: seconds, registers: [metricsRegistry] }),
  runsStarted: new Counter({ name: 'praxis_runs_started_total', help: 'Runs that started executing, by protocol', labelNames: ['protocol'], registers: [metricsRegistry] }),
  runsEnded: new Counter({ name: 'praxis_runs_ended_total', help: 'Runs that reached a terminal status, by protocol and status', labelNames: ['protocol', 'status'], registers: [metricsRegistry] }),
  runDuration: new Histogram({ name: 'praxis_run_duration_seconds', help: 'Run duration from start to terminal status, by protocol', labelNames: ['protocol'], buckets: seconds, registers: [metricsRegistry] }),
  runQueueWait: new Histogram({ name: 'praxis_run_queue_wait_seconds', help: 'Time a run waited between enqueue and start, by protocol', labelNames: ['protocol'], buckets: seconds, registers: [metricsRegistry] }),
  commands: new Counter({ name: 'praxis_hardware_commands_total', help: 'Hardware commands by machine and command', labelNames: ['machine', 'command'], registers: [metricsRegistry] }),
  commandErrors: new Counter({ name: 'praxis_hardware_command_errors_total', help: 'Hardware commands that failed, by machine and command', labelNames: ['machine', 'command'], registers: [metricsRegistry] }),
  commandDuration: new Histogram({ name: 'praxis_hardware_command_duration_seconds', help: 'Hardware command latency by machine and command', labelNames: ['machine', 'command'], buckets: seconds, registers: [metricsRegistry] }),
  queueJobs: new Gauge({ name: 'praxis_queue_jobs', help: 'Jobs per workcell queue by state (waiting, delayed, active, failed)', labelNames: ['workcell', 'state'], registers: [metricsRegistry] }),
  workersAlive: new Gauge({ name: 'praxis_workers_alive', help: 'Workers whose heartbeat is current', registers: [metricsRegistry] }),
  workerHeartbeat: new Gauge({ name: 'praxis_worker_last_heartbeat_seconds', help: 'Unix time of each worker\'s last heartbeat', labelNames: ['worker'], registers: [metricsRegistry] }),
  locksHeld: new Gauge({ name: 'praxis_locks_held', help: 'Resource locks currently held', registers: [metricsRegistry] }),
  staleReservations: new Gauge({ name: 'praxis_reservations_stale', help: 'Reservations that outlived their run (run terminal)', registers: [metricsRegistry] }),
  dbPool: new Gauge({ name: 'praxis_db_pool_connections', help: 'Database pool connections by state (total, idle, waiting, in_use)', labelNames: ['state'], registers: [metricsRegistry] }),
  redisMemory: new Gauge({ name: 'praxis_redis_used_memory_bytes', help: 'Redis used_memory from INFO memory', registers: [metricsRegistry] }),
  /** Fed where live run events are delivered to subscribers: now minus the event's creation time. */
  eventDeliveryLag: new Histogram({ name: 'praxis_event_delivery_lag_seconds', help: 'Delay between a run event being recorded and delivered to subscribers', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [metricsRegistry] }),
};

/** Records the delivery of one run event created at `createdAt` (call it where the gateway emits). */
export function observeEventDelivery(createdAt: Date, now = Date.now()): void {
  metrics.eventDeliveryLag.observe(Math.max(0, (now - createdAt.getTime()) / 1000));
}

/** Compares a presented bearer header with the configured token; no token configured means closed. */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  // constant-time comparison: the token must not be guessable byte by byte from response timing
  return a.length === b.length && cryptoTimingSafeEqual(a, b);
}

/** The database pool gauge from a process's pool figures. */
export function recordDbPool(p: { total: number; idle: number; inUse: number; waiting: number }): void {
  metrics.dbPool.set({ state: 'total' }, p.total);
  metrics.dbPool.set({ state: 'idle' }, p.idle);
  metrics.dbPool.set({ state: 'in_use' }, p.inUse);
  metrics.dbPool.set({ state: 'waiting' }, p.waiting);
}

let processMetrics = false;
/** Node's own figures (CPU, memory, event-loop lag, handles) with the `praxis_` prefix; once per process. */
export function startProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'praxis_' });
}

/** One hardware command as the machine reported it (`CommandEvent`). */
export function observeCommand(e: { machine: string; command: string; durationMs: number; error?: unknown }): void {
  const labels = { machine: e.machine, command: e.command };
  metrics.commands.inc(labels);
  if (e.error) metrics.commandErrors.inc(labels);
  metrics.commandDuration.observe(labels, Math.max(0, e.durationMs) / 1000);
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/**
 * A committed status change, counted once, by the process that made it: a start (preparing →
 * running) with the time the run waited for it, an end with the run's duration.
 */
export function observeRunTransition(t: { protocol: string; from: string | null; to: string; createdAt: Date; scheduledAt: Date | null; startedAt: Date | null; endedAt: Date | null }): void {
  if (t.to === 'running' && t.from === 'preparing') {
    metrics.runsStarted.inc({ protocol: t.protocol });
    if (t.startedAt) {
      const since = Math.max(t.createdAt.getTime(), t.scheduledAt?.getTime() ?? 0);
      metrics.runQueueWait.observe({ protocol: t.protocol }, Math.max(0, t.startedAt.getTime() - since) / 1000);
    }
  } else if (TERMINAL.has(t.to) && !TERMINAL.has(t.from ?? '')) {
    metrics.runsEnded.inc({ protocol: t.protocol, status: t.to });
    if (t.startedAt) metrics.runDuration.observe({ protocol: t.protocol }, Math.max(0, (t.endedAt ?? new Date()).getTime() - t.startedAt.getTime()) / 1000);
  }
}

/**
 * Express middleware: every request's count and latency by method, route pattern (never a raw
 * path: ids would explode the label set) and status, errors and guard refusals included.
 */
export function httpMetricsMiddleware(req: IncomingMessage & { route?: { path?: unknown }; baseUrl?: string }, res: ServerResponse, next: () => void): void {
  const start = process.hrtime.bigint();
  res.once('finish', () => {
    const path = req.route?.path;
    const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : res.statusCode < 400 ? 'static' : 'unmatched';
    const labels = { method: req.method ?? 'GET', route, status: String(res.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
  });
  next();
}
