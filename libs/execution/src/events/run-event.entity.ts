import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One event of a run's live log (run.status, run.step, run.command, run.log, run.input_required,
 * run.output, deck.state). `seq` is 1, 2, 3... per run, allocated from `runs.lastEventSeq` in the
 * transaction that inserts the event, so seq order is commit order. The primary key (runId, seq) is
 * also the replay index (`WHERE "runId" = $1 AND seq > $2 ORDER BY seq`).
 */
@Entity('run_events')
export class RunEvent {
  @PrimaryColumn({ type: 'uuid' })
  runId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;
}
