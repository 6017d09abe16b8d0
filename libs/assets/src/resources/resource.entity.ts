import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { ResourceDefinition } from '../definitions/resource-definition.entity.js';
import { Workcell } from '../workcells/workcell.entity.js';

export enum ResourceStatus {
  AvailableInStorage = 'available_in_storage',
  AvailableOnDeck = 'available_on_deck',
  InUse = 'in_use',
  Empty = 'empty',
  PartiallyFilled = 'partially_filled',
  Full = 'full',
  NeedsRefill = 'needs_refill',
  ToBeDisposed = 'to_be_disposed',
  Disposed = 'disposed',
  ToBeCleaned = 'to_be_cleaned',
  Cleaned = 'cleaned',
  Error = 'error',
  Unknown = 'unknown',
}

/** One physical piece of labware (or carrier) Praxis tracks. Names are unique per workcell. */
@Entity('resources')
@Index('UQ_resources_workcell_name', ['workcellId', 'name'], { unique: true })
@Index('UQ_resources_name_no_workcell', ['name'], { unique: true, where: '"workcellId" IS NULL' })
@Index('IDX_resources_category_created', ['category', 'createdAt'])
export class Resource extends PraxisBaseEntity {
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'uuid' })
  definitionId!: string;

  @ManyToOne(() => ResourceDefinition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'definitionId' })
  definition?: Relation<ResourceDefinition>;

  /** Copied from the definition, for fast filtering. */
  @Column({ type: 'varchar', length: 50 })
  category!: string;

  @Index('IDX_resources_workcell')
  @Column({ type: 'uuid', nullable: true })
  workcellId!: string | null;

  @ManyToOne(() => Workcell, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'workcellId' })
  workcell?: Relation<Workcell>;

  /** What it sits on (a carrier site's carrier, a deck...). */
  @Index('IDX_resources_parent')
  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => Resource, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parentId' })
  parent?: Relation<Resource>;

  /** Location on the parent: { x, y, z } in mm, and/or { site } / { rails } / { slot }. */
  @Column({ type: 'jsonb', nullable: true })
  location!: Record<string, unknown> | null;

  @Column({ type: 'enum', enum: ResourceStatus, enumName: 'resource_status', default: ResourceStatus.AvailableInStorage })
  status!: ResourceStatus;

  /** The run using it; set only by the execution engine. */
  @Column({ type: 'uuid', nullable: true })
  currentRunId!: string | null;

  /** Last known state from the hardware library (tips present, volumes), keyed by resource name. */
  @Column({ type: 'jsonb', nullable: true })
  state!: Record<string, unknown> | null;
}
