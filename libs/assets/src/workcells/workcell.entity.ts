import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index } from 'typeorm';

/** A group of machines and resources that run protocols together (one deck's neighbourhood). */
@Entity('workcells')
export class Workcell extends PraxisBaseEntity {
  @Index('UQ_workcells_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Where it stands (room, bench). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  location!: string | null;
}
