import { PraxisBaseEntity } from '@praxis/database';
import type { BackendDefinition, MachineCategory } from '@praxis/hardware';
import { MACHINE_CATEGORIES } from '@praxis/hardware';
import { Column, Entity, Index } from 'typeorm';

/** A kind of machine (catalog entry) and the backends that can drive it. */
@Entity('machine_definitions')
export class MachineDefinition extends PraxisBaseEntity {
  /** e.g. `Hamilton STARlet`. */
  @Index('UQ_machine_definitions_name', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  name!: string;

  @Column({ type: 'enum', enum: MACHINE_CATEGORIES as unknown as string[], enumName: 'machine_category' })
  category!: MachineCategory;

  @Column({ type: 'varchar', length: 100 })
  manufacturer!: string;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** Deck type of machines with a deck. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  deckType!: string | null;

  /** Backends with the JSON Schema of each one's connection config. */
  @Column({ type: 'jsonb' })
  backends!: BackendDefinition[];

  @Column({ type: 'varchar', length: 10, default: 'catalog' })
  source!: 'catalog' | 'custom';
}
