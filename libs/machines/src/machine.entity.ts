import { Workcell } from '@praxis/assets';
import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { MachineDefinition } from './machine-definition.entity.js';

export enum MachineStatus {
  Available = 'available',
  InUse = 'in_use',
  Error = 'error',
  Offline = 'offline',
  Initializing = 'initializing',
  Maintenance = 'maintenance',
}

/** One machine of a workcell, with the backend that drives it. Names are unique per workcell. */
@Entity('machines')
@Index('UQ_machines_workcell_name', ['workcellId', 'name'], { unique: true })
export class Machine extends PraxisBaseEntity {
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'uuid' })
  workcellId!: string;

  @ManyToOne(() => Workcell, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workcellId' })
  workcell?: Relation<Workcell>;

  @Index('IDX_machines_definition')
  @Column({ type: 'uuid' })
  definitionId!: string;

  @ManyToOne(() => MachineDefinition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'definitionId' })
  definition?: Relation<MachineDefinition>;

  /** Copied from the definition, for filtering. */
  @Column({ type: 'varchar', length: 50 })
  category!: string;

  /** Backend name, one of the definition's: `simulator`, `hamilton-star-usb`, ... */
  @Column({ type: 'varchar', length: 100 })
  backend!: string;

  /** Validated against the backend's config schema. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  connectionConfig!: Record<string, unknown>;

  @Column({ type: 'enum', enum: MachineStatus, enumName: 'machine_status', default: MachineStatus.Available })
  status!: MachineStatus;

  @Column({ type: 'text', nullable: true })
  statusReason!: string | null;

  /** The run using it; set only by the execution engine. */
  @Column({ type: 'uuid', nullable: true })
  currentRunId!: string | null;
}
