import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Role, Roles } from '@praxis/auth';
import { RunRecoveryService, SystemStatusService } from '@praxis/execution';
import { HealthService } from '../health/health.service.js';
import { ReconcileResultDto, SystemStatusDto } from './system.dto.js';

/** Seen from one place, what an operator checks when something looks wrong, and the one safe repair. */
@ApiTags('system')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('system')
export class SystemController {
  constructor(
    private readonly status: SystemStatusService,
    private readonly health: HealthService,
    private readonly recovery: RunRecoveryService,
  ) {}

  /**
   * Workers (heartbeat age, workcells, current runs), queues per workcell, locks and reservations
   * with holders and ages, runs that look stuck, database and Redis health (admin). A part whose
   * service is down is empty; `health` says which.
   */
  @Get('status')
  async getSystemStatus(): Promise<SystemStatusDto> {
    const now = Date.now();
    const health = await this.health.check();
    const safe = async <T>(ok: boolean, fn: () => Promise<T>, empty: T): Promise<T> => (ok ? fn().catch(() => empty) : empty);
    const db = health.checks.database === 'ok';
    const redis = health.checks.redis === 'ok';
    const workers = await safe(redis, () => this.status.workers(now), []);
    const [queues, locks, reservations, stuckRuns, memory] = await Promise.all([
      safe(db && redis, () => this.status.queueDepths(workers), []),
      safe(db && redis, () => this.status.heldLocks(now), []),
      safe(db && redis, () => this.status.reservations(now), []),
      safe(db && redis, () => this.status.stuckRuns(workers, now), []),
      safe<number | null>(redis, () => this.status.redisUsedMemory(), null),
    ]);
    return {
      checkedAt: new Date(now).toISOString(),
      health: { ...health.checks, errors: health.errors as Record<string, string> },
      workers,
      queues,
      locks,
      reservations,
      stuckRuns,
      redisUsedMemoryBytes: memory,
    };
  }

  /**
   * The recovery procedures as one safe, idempotent action (admin): runs whose worker is gone
   * become `interrupted` (never re-executed), locks and reservations of runs that have ended are
   * released, queued runs that lost their job are queued again. Answers what it changed; a second
   * call changes nothing. Never touches a run whose worker heartbeats.
   */
  @Post('reconcile')
  @HttpCode(200)
  async reconcileSystem(): Promise<ReconcileResultDto> {
    const report = await this.recovery.sweep({ wait: true });
    return {
      interruptedRuns: report.interrupted.map((r) => ({ runId: r.runId, workerId: r.workerId, was: r.was })),
      releasedReservations: report.released,
      requeuedRuns: report.requeued,
      skipped: report.skipped,
    };
  }
}
