import { PraxisBaseEntity } from '@praxis/database';
import { Column, Entity, Index } from 'typeorm';

export type DefinitionSource = 'catalog' | 'custom';

/** A kind of labware (catalog entry): what the hardware library can build, with its facts. */
@Entity('resource_definitions')
@Index('IDX_resource_definitions_category_vendor', ['category', 'vendor'])
export class ResourceDefinition extends PraxisBaseEntity {
  /** Catalog name, e.g. `cor_96_wellplate_360uL_Fb`. */
  @Index('UQ_resource_definitions_name', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  /** plate, tip_rack, tip_carrier, plate_carrier, trough, trough_carrier, tube_rack, tube, lid, deck... */
  @Column({ type: 'varchar', length: 50 })
  category!: string;

  @Column({ type: 'varchar', length: 100 })
  vendor!: string;

  @Column({ type: 'varchar', length: 150, nullable: true })
  model!: string | null;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'integer', default: 1 })
  itemCount!: number;

  @Column({ type: 'varchar', length: 20, nullable: true })
  plateType!: string | null;

  @Column({ type: 'double precision', nullable: true })
  wellVolumeUl!: number | null;

  @Column({ type: 'double precision', nullable: true })
  tipVolumeUl!: number | null;

  /** Outer size in mm: { x, y, z }. */
  @Column({ type: 'jsonb' })
  dimensions!: { x: number; y: number; z: number };

  @Column({ type: 'boolean', default: true })
  consumable!: boolean;

  /** The hardware library's serialized layout of one instance (named after the definition). */
  @Column({ type: 'jsonb' })
  layout!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10, default: 'catalog' })
  source!: DefinitionSource;
}
