import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@praxis/auth';
import { AppException, ErrorCode, metrics, metricsAuthorized, metricsRegistry, recordDbPool } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { SystemStatusService } from '@praxis/execution';
import type { Response } from 'express';

/**
 * Prometheus scrape target of this API instance (`GET /metrics`, outside /api/v1): its own HTTP
 * and run figures, and the cluster's gauges read at scrape time (workers, queues, locks,
 * reservations, Redis memory). Each worker serves its own on WORKER_METRICS_PORT. Not a user
 * route: no JWT, only the METRICS_TOKEN bearer (unset: closed).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    private readonly status: SystemStatusService,
  ) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!metricsAuthorized(authorization, this.config.metricsToken)) {
      throw new AppException(ErrorCode.UNAUTHENTICATED, this.config.metricsToken ? 'GET /metrics needs the METRICS_TOKEN bearer token' : 'GET /metrics is closed: set METRICS_TOKEN to open it');
    }
    await this.refreshGauges();
    const text = await metricsRegistry.metrics();
    // Set here, not by decorator: a refusal above answers the JSON error envelope.
    res.setHeader('Content-Type', metricsRegistry.contentType);
    return text;
  }

  /** Cluster-wide gauges, from the same reads as GET /api/v1/system/status; a part whose service is down is left out. */
  private async refreshGauges(): Promise<void> {
    recordDbPool(this.status.databasePool());
    const now = Date.now();
    const workers = await this.status.workers(now).catch(() => null);
    metrics.workerHeartbeat.reset();
    if (workers) {
      metrics.workersAlive.set(workers.length);
      for (const w of workers) metrics.workerHeartbeat.set({ worker: w.id }, Date.parse(w.lastHeartbeatAt) / 1000);
    }
    const [queues, locks, reservations, memory] = await Promise.all([
      workers ? this.status.queueDepths(workers).catch(() => null) : null,
      this.status.heldLocks(now).catch(() => null),
      this.status.reservations(now).catch(() => null),
      this.status.redisUsedMemory().catch(() => null),
    ]);
    if (queues) {
      metrics.queueJobs.reset();
      for (const q of queues) for (const state of ['waiting', 'delayed', 'active', 'failed'] as const) metrics.queueJobs.set({ workcell: q.workcellName, state }, q[state]);
    }
    if (locks) metrics.locksHeld.set(locks.length);
    if (reservations) metrics.staleReservations.set(reservations.filter((r) => r.stale).length);
    if (memory !== null) metrics.redisMemory.set(memory);
  }
}
