import { PraxisBaseEntity } from '@praxis/database';
import type { DeckPosition } from '@praxis/hardware';
import { Column, Entity, Index } from 'typeorm';

/** A kind of deck (catalog entry) with its positions (rails or slots). */
@Entity('deck_types')
export class DeckType extends PraxisBaseEntity {
  /** `STARletDeck`, `STARDeck`, `OT2Deck`. */
  @Index('UQ_deck_types_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 100 })
  manufacturer!: string;

  @Column({ type: 'varchar', length: 100 })
  model!: string;

  @Column({ type: 'varchar', length: 10 })
  positionKind!: 'rail' | 'slot';

  @Column({ type: 'jsonb' })
  positions!: DeckPosition[];

  @Column({ type: 'jsonb' })
  dimensions!: { x: number; y: number; z: number };

  /** The empty deck as the hardware library serializes it (fixed trash and the like). */
  @Column({ type: 'jsonb' })
  layout!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10, default: 'catalog' })
  source!: 'catalog' | 'custom';
}
