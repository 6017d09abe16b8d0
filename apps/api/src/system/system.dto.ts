import { ApiProperty } from '@nestjs/swagger';

export class SystemWorkerDto {
  /** `host:pid:nonce`; a run's `workerId` is its `host:pid`. */
  id!: string;
  host!: string;
  pid!: number;
  startedAt!: string;
  lastHeartbeatAt!: string;
  heartbeatAgeMs!: number;
  /** Ids of the workcells whose runs it takes. */
  workcells!: string[];
  /** Ids of the runs it is executing. */
  currentRuns!: string[];
}

export class SystemQueueDto {
  workcellId!: string;
  workcellName!: string;
  waiting!: number;
  delayed!: number;
  active!: number;
  failed!: number;
  /** Live workers taking this workcell's runs (0: its runs wait until one comes). */
  workers!: number;
}

export class SystemLockDto {
  assetId!: string;
  @ApiProperty({ type: String, nullable: true })
  assetName!: string | null;
  /** The run holding it. */
  runId!: string;
  @ApiProperty({ type: String, nullable: true })
  runStatus!: string | null;
  /** Since its reservation was taken; null when no reservation row backs the lock. */
  @ApiProperty({ type: Number, nullable: true })
  ageMs!: number | null;
  /** Until the lock expires unless its holder extends it. */
  ttlMs!: number;
}

export class SystemReservationDto {
  assetId!: string;
  @ApiProperty({ enum: ['machine', 'resource'] })
  assetKind!: string;
  assetName!: string;
  runId!: string;
  @ApiProperty({ type: String, nullable: true })
  runStatus!: string | null;
  acquiredAt!: string;
  ageMs!: number;
  /** Its run has ended or is gone: the reservation outlived it (reconcile releases it). */
  stale!: boolean;
  /** A Redis lock backs it. */
  locked!: boolean;
}

export class SystemStuckRunDto {
  runId!: string;
  protocolName!: string;
  workcellId!: string;
  status!: string;
  @ApiProperty({ type: String, nullable: true })
  workerId!: string | null;
  /** worker_gone: executing, no heartbeat from its worker; input_timed_out: awaiting an answer past its prompt's timeout; no_worker: queued a minute with no live worker for its workcell. */
  @ApiProperty({ enum: ['worker_gone', 'input_timed_out', 'no_worker'] })
  reason!: 'worker_gone' | 'input_timed_out' | 'no_worker';
  detail!: string;
  sinceMs!: number;
}

export class SystemHealthDto {
  @ApiProperty({ enum: ['ok', 'down'] })
  database!: 'ok' | 'down';
  @ApiProperty({ enum: ['ok', 'down'] })
  redis!: 'ok' | 'down';
  @ApiProperty({ enum: ['ok', 'down'] })
  queue!: 'ok' | 'down';
  /** What failed, by check. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  errors!: Record<string, string>;
}

export class SystemStatusDto {
  checkedAt!: string;
  health!: SystemHealthDto;
  @ApiProperty({ type: [SystemWorkerDto] })
  workers!: SystemWorkerDto[];
  @ApiProperty({ type: [SystemQueueDto] })
  queues!: SystemQueueDto[];
  @ApiProperty({ type: [SystemLockDto] })
  locks!: SystemLockDto[];
  @ApiProperty({ type: [SystemReservationDto] })
  reservations!: SystemReservationDto[];
  @ApiProperty({ type: [SystemStuckRunDto] })
  stuckRuns!: SystemStuckRunDto[];
  /** Redis INFO used_memory, bytes (null when Redis is down). */
  @ApiProperty({ type: Number, nullable: true })
  redisUsedMemoryBytes!: number | null;
}

export class ReconciledRunDto {
  runId!: string;
  @ApiProperty({ type: String, nullable: true })
  workerId!: string | null;
  /** Its status before it was interrupted. */
  was!: string;
}

export class ReleasedReservationDto {
  assetId!: string;
  runId!: string;
}

export class ReconcileResultDto {
  /** Runs whose worker is gone, now `interrupted` (never re-executed: an operator may restart them). */
  @ApiProperty({ type: [ReconciledRunDto] })
  interruptedRuns!: ReconciledRunDto[];
  /** Locks and reservation rows of runs that had ended, now released. */
  @ApiProperty({ type: [ReleasedReservationDto] })
  releasedReservations!: ReleasedReservationDto[];
  /** Queued runs whose job was lost (they never started), queued again. */
  requeuedRuns!: string[];
  /** What was not decided, and why (e.g. right after a Redis restart). */
  skipped!: string[];
}
