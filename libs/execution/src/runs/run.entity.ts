import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { RunStatus } from './run-status.js';

/** What a run was given for one requirement of its protocol. */
export interface RunAsset {
  kind: 'machine' | 'resource';
  id: string;
  name: string;
  category: string;
}

/** A prompt waiting for the operator. */
export interface PendingInput {
  id: string;
  prompt: string;
  fieldsSchema: Record<string, unknown>;
  stepSeq: number | null;
  requestedAt: string;
  timeoutMs?: number;
}

/** One execution of one pinned protocol revision. */
@Entity('runs')
@Index('IDX_runs_status_created', ['status', 'createdAt'])
@Index('IDX_runs_workcell_created', ['workcellId', 'createdAt'])
@Index('IDX_runs_schedule_created', ['scheduleId', 'createdAt'])
export class Run extends PraxisBaseEntity {
  /** The exact definition revision the run executes. */
  @Index('IDX_runs_protocol')
  @Column({ type: 'uuid' })
  protocolId!: string;

  @Column({ type: 'varchar', length: 100 })
  protocolName!: string;

  @Column({ type: 'varchar', length: 64 })
  protocolVersion!: string;

  @Column({ type: 'uuid' })
  workcellId!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: RunStatus;

  /** Higher runs first among the ones waiting; then the oldest. */
  @Column({ type: 'int', default: 0 })
  priority!: number;

  @Column({ type: 'jsonb' })
  parameters!: Record<string, unknown>;

  /** Requirement → the asset given or matched. */
  @Column({ type: 'jsonb' })
  assets!: Record<string, RunAsset>;

  @Column({ type: 'uuid', nullable: true })
  deckLayoutId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** `{ name, message, step? }` when the run failed or was interrupted. */
  @Column({ type: 'jsonb', nullable: true })
  error!: { name: string; message: string; step?: { seq: number; name: string } | null } | null;

  @Column({ type: 'jsonb', nullable: true })
  pendingInput!: PendingInput | null;

  /** The run's result value (what `run` returned), when it completed. */
  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'varchar', length: 150 })
  createdBy!: string;

  /** The schedule that created the run (`createdBy` is then `schedule:<name>`). */
  @Column({ type: 'uuid', nullable: true })
  scheduleId!: string | null;

  /** The worker executing it (for recovery). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  workerId!: string | null;

  /**
   * The request id (X-Request-Id) of the call that created the run: its worker logs carry it, so
   * one id finds the API's lines and the worker's for the run.
   */
  @Column({ type: 'varchar', length: 128, nullable: true })
  traceId!: string | null;

  /** The seq of the run's last stored event (run_events); incremented in the transaction that inserts events. */
  @Column({ type: 'int', default: 0 })
  lastEventSeq!: number;

  /** The key of the last event batch the worker stored (makes a retried batch a no-op). */
  @Column({ type: 'uuid', nullable: true, select: false })
  lastEventBatch!: string | null;
}

/** Every status change of a run: when, by whom, why. */
@Entity('run_transitions')
@Index('IDX_run_transitions_run', ['runId', 'at'])
export class RunTransition {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  from!: RunStatus | null;

  @Column({ type: 'varchar', length: 20 })
  to!: RunStatus;

  /** `user:<name>`, `worker:<id>`, `scheduler`, `system`. */
  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
