import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One `step()` call of a run (the call tree): seq is unique and increasing per run. */
@Entity('run_calls')
export class RunCall {
  @PrimaryColumn({ type: 'uuid' })
  runId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'int', nullable: true })
  parentSeq!: number | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** running, completed, failed, cancelled. */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'jsonb' })
  args!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: { name: string; message: string } | null;

  /** Run-state keys the call changed: `{ key: { before, after } }`. */
  @Column({ type: 'jsonb', nullable: true })
  stateDiff!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'double precision', nullable: true })
  durationMs!: number | null;
}

/** One hardware command of a run, as executed by the worker on the live machine. */
@Entity('run_commands')
@Index('IDX_run_commands_machine_at', ['machine', 'at'])
export class RunCommand {
  @PrimaryColumn({ type: 'uuid' })
  runId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'int', nullable: true })
  stepSeq!: number | null;

  /** The machine's id (asset) and name. */
  @Column({ type: 'uuid', nullable: true })
  machineId!: string | null;

  @Column({ type: 'varchar', length: 150 })
  machine!: string;

  @Column({ type: 'varchar', length: 100 })
  command!: string;

  @Column({ type: 'jsonb' })
  args!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: { name: string; message: string; channels?: number[] } | null;

  @Column({ type: 'double precision' })
  durationMs!: number;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

/** A data output of a run (`output(name, value, { type })`). */
@Entity('run_outputs')
@Index('IDX_run_outputs_run', ['runId', 'at'])
@Index('IDX_run_outputs_type', ['type', 'at'])
export class RunOutput {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 100 })
  protocolName!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @Column({ type: 'varchar', length: 150, nullable: true })
  resource!: string | null;

  @Column({ type: 'int', nullable: true })
  stepSeq!: number | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

/** An asset held by a run: mirrors its Redlock lock. */
@Entity('reservations')
export class Reservation {
  @PrimaryColumn({ type: 'uuid' })
  assetId!: string;

  @Column({ type: 'varchar', length: 20 })
  assetKind!: 'machine' | 'resource';

  @Column({ type: 'varchar', length: 150 })
  assetName!: string;

  @Index('IDX_reservations_run')
  @Column({ type: 'uuid' })
  runId!: string;

  @Column({ type: 'timestamptz' })
  acquiredAt!: Date;
}
