import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index } from 'typeorm';

/** Why a fire of a schedule created no run (the run creation error, as the API would have answered it). */
export interface ScheduleError {
  code: string;
  message: string;
  details?: unknown;
  /** When the fire happened. */
  at: string;
  /** The fire (BullMQ job id of the schedule's repeat). */
  fireId: string;
}

/**
 * A run template that fires on a cron expression in a time zone: each fire creates a run of the
 * protocol revision with the parameters and assets (like `POST /runs`), which queues like any run.
 */
@Entity('schedules')
export class Schedule extends PraxisBaseEntity {
  @Index('IDX_schedules_name', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  /** 5 fields, or 6 with seconds first (BullMQ / cron-parser syntax). */
  @Column({ type: 'varchar', length: 100 })
  cron!: string;

  /** IANA time zone the cron expression is read in. */
  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone!: string;

  /** The protocol definition revision each run executes. */
  @Index('IDX_schedules_protocol')
  @Column({ type: 'uuid' })
  protocolId!: string;

  /** Checked against the definition's schema when saved (defaults filled). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  parameters!: Record<string, unknown>;

  /** Requirement → asset id; requirements left out are matched at each fire. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  assets!: Record<string, string>;

  /** The workcell the runs go to (the one given, or the one the assets or a single workcell decided when saved). */
  @Column({ type: 'uuid', nullable: true })
  workcellId!: string | null;

  @Column({ type: 'int', default: 0 })
  priority!: number;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** When the last run was created. */
  @Column({ type: 'timestamptz', nullable: true })
  lastRunAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  lastRunId!: string | null;

  /** Why the last fire created no run; null when it created one. */
  @Column({ type: 'jsonb', nullable: true })
  lastError!: ScheduleError | null;

  /** `user:<name>`. */
  @Column({ type: 'varchar', length: 150 })
  createdBy!: string;
}
